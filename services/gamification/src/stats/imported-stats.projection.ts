import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityStatsImported } from './imported-stats.decider.js';

/**
 * One statement per event: the import's row, and only when it is new the member's statistics in the bot
 * (activity_stats, which activity/activities.projection.ts keeps from the activities): the totals add up, the
 * best score and the last activity are the greater. A replayed event finds its row and adds nothing twice.
 */
const IMPORT = `
  WITH imported AS (
    INSERT INTO gamification.imported_activity_stats
      (bot_id, telegram_user_id, source_id, total_activities, best_score, last_activity_at, imported_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING
    RETURNING bot_id, telegram_user_id, total_activities, best_score, last_activity_at
  )
  INSERT INTO gamification.activity_stats (bot_id, telegram_user_id, total_activities, best_score, last_activity_at)
  SELECT bot_id, telegram_user_id, total_activities, best_score, last_activity_at FROM imported
  ON CONFLICT (bot_id, telegram_user_id) DO UPDATE SET
    total_activities = activity_stats.total_activities + EXCLUDED.total_activities,
    best_score = GREATEST(activity_stats.best_score, EXCLUDED.best_score),
    last_activity_at = GREATEST(activity_stats.last_activity_at, EXCLUDED.last_activity_at)`;

/** The imported_activity_stats rows and their share of activity_stats, written in the append's transaction. */
export const importedStatsProjection: InlineProjection = {
  name: 'gamification.imported-activity-stats',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (event.type !== 'ActivityStatsImported') continue;
      const { data } = event as RecordedEvent<ActivityStatsImported>;
      await em.execute(IMPORT, [
        data.botId,
        String(data.telegramUserId),
        data.sourceId,
        data.totalActivities,
        data.bestScore,
        new Date(data.lastActivityAt),
        new Date(data.importedAt),
      ]);
    }
  },
};
