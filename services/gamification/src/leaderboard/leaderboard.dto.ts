import type { GetLeaderboardRequestJson } from '@botplatform/contracts';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { TELEGRAM_USER_ID, TELEGRAM_USER_ID_MESSAGE } from '../shared/telegram-user-id.js';

/** `rpc.gamification.get-leaderboard`. */
export class GetLeaderboardDto implements GetLeaderboardRequestJson {
  @IsUUID()
  botId: string;

  @IsInt()
  @Min(1)
  @Max(100)
  limit: number;

  @IsOptional()
  @Matches(TELEGRAM_USER_ID, { message: TELEGRAM_USER_ID_MESSAGE })
  telegramUserId?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  neighbours?: number;

  /** The bot's current week or month; all time when absent. */
  @IsOptional()
  @IsIn(['week', 'month'])
  period?: 'week' | 'month';
}
