import type { QueryAuditRequestJson } from '@botplatform/contracts';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

/** `rpc.users.query-audit`. */
export class QueryAuditDto implements QueryAuditRequestJson {
  @IsUUID()
  botId: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  admin?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  target?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  action?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  cursor?: string;
}
