import type { RegisterUserRequestJson } from '@botplatform/contracts';
import { IsBoolean, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

/**
 * `rpc.users.register-user` as it arrives: the contract's JSON form (int64 as a decimal string),
 * checked field by field. `implements` keeps it in step with proto/.
 */
export class RegisterUserDto implements RegisterUserRequestJson {
  @IsUUID()
  botId: string;

  @Matches(/^[1-9][0-9]{0,15}$/, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @IsOptional()
  @IsString()
  @Length(1, 32)
  username?: string;

  @IsString()
  @Length(1, 64)
  firstName: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  lastName?: string;

  @IsOptional()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
  languageCode?: string;

  @IsOptional()
  @IsBoolean()
  isPremium?: boolean;

  // Telegram allows deep-link payloads of up to 64 characters from this alphabet.
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  startPayload?: string;
}
