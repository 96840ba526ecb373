import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityCompleted } from './activity.decider.js';

/**
 * One statement per event: the history row, and only when it is new the member's statistics in the bot
 * (seed 003's stats_data: total, best score, last activity) and, for a scored activity, their best and
 * total score of its type on the all-time board and on the boards of the week and month holding it in the
 * bot's calendar (`activity_scores`, ADR 0015; `tx`, the transaction that last wrote a row, is how every
 * replica's in-memory score boards find the rows changed since their last read). A replayed event finds its row and leaves the statistics
 * and the scores as they are, so a count or a total is never added twice.
 */
const RECORD = `
  WITH recorded AS (
    INSERT INTO gamification.activities
      (bot_id, telegram_user_id, activity_id, activity_type, score, metrics, payload, occurred_at, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)
    ON CONFLICT DO NOTHING
    RETURNING bot_id, telegram_user_id, activity_type, score, occurred_at, recorded_at
  ),
  scores AS (
    INSERT INTO gamification.activity_scores
      (bot_id, activity_type, kind, starts_on, telegram_user_id, best, total, activities, updated_at)
    SELECT r.bot_id, r.activity_type, p.kind, p.starts_on, r.telegram_user_id, r.score, r.score, 1, r.recorded_at
      FROM recorded r CROSS JOIN (VALUES ('all', ''), ('week', ?::text), ('month', ?::text)) AS p (kind, starts_on)
     WHERE r.score IS NOT NULL AND p.starts_on IS NOT NULL
    ON CONFLICT (bot_id, activity_type, kind, starts_on, telegram_user_id) DO UPDATE SET
      best = GREATEST(activity_scores.best, EXCLUDED.best),
      total = activity_scores.total + EXCLUDED.total,
      activities = activity_scores.activities + 1,
      updated_at = GREATEST(activity_scores.updated_at, EXCLUDED.updated_at),
      tx = pg_current_xact_id()
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
        data.periods?.week ?? null,
        data.periods?.month ?? null,
      ]);
    }
  },
};
