import type { ImportActivityStatsRequestJson } from '@botplatform/contracts';
import { IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { TELEGRAM_USER_ID, TELEGRAM_USER_ID_MESSAGE } from '../shared/telegram-user-id.js';

/** `rpc.gamification.import-activity-stats`: the figures' ranges and the time are checked by the use case. */
export class ImportActivityStatsDto implements ImportActivityStatsRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: TELEGRAM_USER_ID_MESSAGE })
  telegramUserId: string;

  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'sourceId must be 1-128 printable ASCII characters' })
  sourceId: string;

  @Matches(/^[1-9][0-9]{0,9}$/, { message: 'totalActivities must be 1..1000000000' })
  totalActivities: string;

  @IsOptional()
  @Matches(/^-?[0-9]{1,15}$/, { message: 'bestScore must be an integer' })
  bestScore?: string;

  @IsISO8601({ strict: true })
  lastActivityAt: string;
}
