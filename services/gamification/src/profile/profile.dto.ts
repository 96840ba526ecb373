import type { GetProfileRequestJson } from '@botplatform/contracts';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { TELEGRAM_USER_ID, TELEGRAM_USER_ID_MESSAGE } from '../shared/telegram-user-id.js';

/** `rpc.gamification.get-profile`. */
export class GetProfileDto implements GetProfileRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: TELEGRAM_USER_ID_MESSAGE })
  telegramUserId: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;
}
