import type { ActivityInputJson, GetActivityHistoryRequestJson } from '@botplatform/contracts';
import { IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { TELEGRAM_USER_ID, TELEGRAM_USER_ID_MESSAGE } from '../shared/telegram-user-id.js';

/** An int64 of the contract as JSON (a decimal string), within JavaScript's exact integers. */
export const SCORE = /^-?(0|[1-9][0-9]{0,14})$/;

/** The activity part of `rpc.gamification.record-activity`: metrics and payload are checked by the use case. */
export class ActivityInputDto implements ActivityInputJson {
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'id must be 1-128 printable ASCII characters' })
  id: string;

  @Matches(/^[a-z0-9][a-z0-9_-]{0,47}$/, { message: 'type must be 1-48 lower-case letters, digits, _ or -' })
  type: string;

  @IsOptional()
  @Matches(SCORE, { message: 'score must be a whole number' })
  score?: string;

  @IsOptional()
  @IsObject()
  metrics?: { [key: string]: number | 'NaN' | 'Infinity' | '-Infinity' };

  @IsOptional()
  @IsString()
  payloadJson?: string;
}

/** `rpc.gamification.get-activity-history`. */
export class GetActivityHistoryDto implements GetActivityHistoryRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: TELEGRAM_USER_ID_MESSAGE })
  telegramUserId: string;

  @IsInt()
  @Min(1)
  @Max(50)
  limit: number;

  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}
