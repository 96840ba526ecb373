import type { ActivityStatsJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** A member's statistics in one bot (seed 003's stats_data); the streaks are the profile's own. */
export interface ActivityStats {
  readonly totalActivities: number;
  /** Null while no recorded activity had a score. */
  readonly bestScore: number | null;
  /** Null before the first activity. */
  readonly lastActivityAt: Date | null;
  /** Badges earned in this bot. */
  readonly achievements: number;
}

/** Reads activity_stats (kept by activity/activities.projection.ts from each ActivityCompleted) and the bot's badge count. */
@Injectable()
export class ActivityStatsQuery {
  constructor(private readonly orm: MikroORM) {}

  async of(botId: string, telegramUserId: string): Promise<ActivityStats> {
    const [row] = await this.orm.em.getConnection().execute<{ total: string | null; best: string | null; last: Date | string | null; achievements: string }[]>(
      `SELECT s.total_activities::text AS total, s.best_score::text AS best, s.last_activity_at AS last,
              (SELECT count(*) FROM gamification.member_badges b WHERE b.bot_id = ? AND b.telegram_user_id = ?)::text AS achievements
         FROM (SELECT 1) one
         LEFT JOIN gamification.activity_stats s ON s.bot_id = ? AND s.telegram_user_id = ?`,
      [botId, telegramUserId, botId, telegramUserId],
    );
    return {
      totalActivities: Number(row.total ?? 0),
      bestScore: row.best === null ? null : Number(row.best),
      lastActivityAt: row.last === null ? null : new Date(row.last),
      achievements: Number(row.achievements),
    };
  }
}

export const activityStatsJson = (stats: ActivityStats): ActivityStatsJson => ({
  totalActivities: String(stats.totalActivities),
  ...(stats.bestScore === null ? {} : { bestScore: String(stats.bestScore) }),
  ...(stats.lastActivityAt === null ? {} : { lastActivityAt: stats.lastActivityAt.toISOString() }),
  achievements: stats.achievements,
});
