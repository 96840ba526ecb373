import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityCompleted } from './activity.decider.js';

/**
 * One statement per event: the history row, and only when it is new the member's statistics in the bot
 * (seed 003's stats_data: total, best score, last activity). A replayed event finds its row and leaves
 * the statistics as they are, so a count is never added twice.
 */
const RECORD = `
  WITH recorded AS (
    INSERT INTO gamification.activities
      (bot_id, telegram_user_id, activity_id, activity_type, score, metrics, payload, occurred_at, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)
    ON CONFLICT DO NOTHING
    RETURNING bot_id, telegram_user_id, score, occurred_at
  )
  INSERT INTO gamification.activity_stats (bot_id, telegram_user_id, total_activities, best_score, last_activity_at)
  SELECT bot_id, telegram_user_id, 1, score, occurred_at FROM recorded
  ON CONFLICT (bot_id, telegram_user_id) DO UPDATE SET
    total_activities = activity_stats.total_activities + 1,
    best_score = GREATEST(activity_stats.best_score, EXCLUDED.best_score),
    last_activity_at = GREATEST(activity_stats.last_activity_at, EXCLUDED.last_activity_at)`;

/** The activities (history) and activity_stats read models, written in the append's transaction. */
export const activitiesProjection: InlineProjection = {
  name: 'gamification.activities',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (event.type !== 'ActivityCompleted') continue;
      const { data } = event as RecordedEvent<ActivityCompleted>;
      await em.execute(RECORD, [
        data.botId,
        String(data.telegramUserId),
        data.activityId,
        data.activityType,
        data.score,
        JSON.stringify(data.metrics),
        data.payload === null ? null : JSON.stringify(data.payload),
        new Date(data.occurredAt),
        new Date(data.recordedAt),
      ]);
    }
  },
};
