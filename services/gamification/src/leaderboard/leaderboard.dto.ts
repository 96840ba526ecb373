import type { GetLeaderboardRequestJson } from '@botplatform/contracts';
import { IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
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

  /** XP (the default), or an activity type's best or total score (with activityType). */
  @IsOptional()
  @IsIn(['xp', 'activity-best', 'activity-total'])
  metric?: 'xp' | 'activity-best' | 'activity-total';

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,47}$/, { message: 'activityType must be 1-48 lower-case letters, digits, _ or -' })
  activityType?: string;

  /** The bot's group's board (XP summed over its bots) instead of the bot's. */
  @IsOptional()
  @IsBoolean()
  group?: boolean;
}
