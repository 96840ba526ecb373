import type { SetXpRulesRequestJson, XpRulesJson } from '@botplatform/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';

class XpRulesDto implements XpRulesJson {
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  activityFixedXp: number;

  @IsInt()
  @Min(0)
  @Max(10_000)
  activityXpPerPoint: number;

  @IsInt()
  @Min(0)
  @Max(1_000_000)
  streakDayXp: number;

  /** Absent is 0 (a field added after the others). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  paymentCompletedXp?: number;

  /** Absent is 0 (a field added after the others). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  referralJoinedXp?: number;
}

/** `rpc.gamification.set-xp-rules`: every figure given, 0 for none. */
export class SetXpRulesDto implements SetXpRulesRequestJson {
  @IsUUID()
  botId: string;

  @ValidateNested()
  @Type(() => XpRulesDto)
  rules: XpRulesDto;
}
