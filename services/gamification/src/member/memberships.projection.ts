import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GroupLevelReached } from './group-level.decider.js';
import { MEMBER_EVENT_TYPES, scopeKey, type MemberEvent, type PeriodXp } from './member.decider.js';

const isMemberEvent = (event: RecordedEvent): event is RecordedEvent<MemberEvent> => (MEMBER_EVENT_TYPES as readonly string[]).includes(event.type);

// Set, never added: the event carries the period's total after it.
const PERIOD_XP = `
  INSERT INTO gamification.period_xp (bot_id, kind, starts_on, telegram_user_id, xp, updated_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (bot_id, kind, starts_on, telegram_user_id) DO UPDATE SET xp = excluded.xp, updated_at = excluded.updated_at`;

const GROUP_LEVEL = `
  INSERT INTO gamification.group_levels (group_id, telegram_user_id, level, group_xp, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (group_id, telegram_user_id) DO UPDATE SET level = GREATEST(group_levels.level, excluded.level), group_xp = excluded.group_xp,
    updated_at = excluded.updated_at`;

/** A member's first event makes their row at the decider's initial state (0 XP, level 1, no streak); each event then sets its columns. */
const CREATE = `
  INSERT INTO gamification.memberships (scope, telegram_user_id, bot_id, xp, level, current_streak, longest_streak, last_active_day, updated_at)
  VALUES (?, ?, ?, 0, 1, 0, 0, NULL, ?)
  ON CONFLICT (scope, telegram_user_id) DO NOTHING`;

const set = (columns: string) => `UPDATE gamification.memberships SET ${columns}, updated_at = ? WHERE scope = ? AND telegram_user_id = ?`;
const XP = set('xp = ?');
const LEVEL = set('level = ?');
const STREAK = set('current_streak = ?, longest_streak = ?, last_active_day = ?');

/**
 * The memberships, period_xp, member_badges and group_levels read models (profile, leaderboards), written in the append's
 * transaction. Every event carries the totals after it (XP, level, streak), so a row is set, never
 * incremented: applying an event twice leaves the same row.
 */
export const membershipsProjection: InlineProjection = {
  name: 'gamification.memberships',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (event.type === 'GroupLevelReached') {
        const { data } = event as RecordedEvent<GroupLevelReached>;
        await em.execute(GROUP_LEVEL, [data.groupId, String(data.telegramUserId), data.to, data.groupXp, event.metadata.occurredAt]);
        continue;
      }
      if (!isMemberEvent(event)) continue;
      const { data } = event;
      const scope = scopeKey({ kind: 'bot', botId: data.botId });
      const member = String(data.telegramUserId);
      const at = event.metadata.occurredAt;
      if (event.type !== 'BadgeAwarded') await em.execute(CREATE, [scope, member, data.botId, at]);
      switch (event.type) {
        case 'XpAwarded':
          await em.execute(XP, [event.data.totalXp, at, scope, member]);
          for (const [kind, period] of [
            ['week', event.data.week],
            ['month', event.data.month],
          ] as const) {
            if (period) await em.execute(PERIOD_XP, [data.botId, kind, (period as PeriodXp).start, member, (period as PeriodXp).xp, at]);
          }
          break;
        case 'LevelReached':
          await em.execute(LEVEL, [event.data.to, at, scope, member]);
          break;
        case 'StreakExtended':
          await em.execute(STREAK, [event.data.current, event.data.longest, event.data.day, at, scope, member]);
          break;
        case 'BadgeAwarded':
          await em.execute(
            'INSERT INTO gamification.member_badges (bot_id, telegram_user_id, badge_key, awarded_at, score, streak) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
            [data.botId, String(data.telegramUserId), event.data.badgeKey, new Date(event.data.awardedAt), event.data.score ?? null, event.data.streak ?? null],
          );
          break;
      }
    }
  },
};
