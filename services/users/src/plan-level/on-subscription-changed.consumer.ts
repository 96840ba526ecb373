import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import {
  SubscriptionExpiredSchema,
  SubscriptionExtendedSchema,
  SubscriptionRevokedSchema,
  SubscriptionStartedSchema,
  int64ToNumber,
  isEventOf,
  subjectOf,
  timestampDate,
} from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';

type ConsumedEvent = Parameters<NonNullable<ConsumerDefinition['handle']>>[0];
type Timestamp = Parameters<typeof timestampDate>[0];

/** What one subscription event leaves as the member's plan level: a running period's, or none. */
interface PlanLevelChange {
  readonly botId: string;
  readonly telegramUserId: number;
  /** Null when no period runs, or its plan sets no level. */
  readonly planLevel: string | null;
  readonly endsAt: Date | null;
  /** The plan is shared by the bot's group: the level counts in every bot of the group. */
  readonly groupShared: boolean;
  /** The event's own instant: later changes win, whatever order they arrive in. */
  readonly changedAt: Date;
}

const required = (at: Timestamp | undefined, field: string, subject: string): Date => {
  if (!at) throw new ParkEventError(`${subject} without ${field}`);
  return timestampDate(at);
};

function changeOf(event: ConsumedEvent): PlanLevelChange {
  const subject = event.subject;
  if (isEventOf(event, SubscriptionStartedSchema)) {
    const m = event.message;
    return {
      botId: m.botId,
      telegramUserId: int64ToNumber(m.telegramUserId),
      planLevel: m.quotaLevel ?? null,
      endsAt: required(m.endsAt, 'ends_at', subject),
      groupShared: m.groupShared === true,
      changedAt: required(m.startedAt, 'started_at', subject),
    };
  }
  if (isEventOf(event, SubscriptionExtendedSchema)) {
    const m = event.message;
    return {
      botId: m.botId,
      telegramUserId: int64ToNumber(m.telegramUserId),
      planLevel: m.quotaLevel ?? null,
      endsAt: required(m.endsAt, 'ends_at', subject),
      groupShared: m.groupShared === true,
      changedAt: required(m.extendedAt, 'extended_at', subject),
    };
  }
  if (isEventOf(event, SubscriptionExpiredSchema)) {
    const m = event.message;
    return {
      botId: m.botId,
      telegramUserId: int64ToNumber(m.telegramUserId),
      planLevel: null,
      endsAt: null,
      groupShared: false,
      changedAt: required(m.endedAt, 'ended_at', subject),
    };
  }
  if (isEventOf(event, SubscriptionRevokedSchema)) {
    const m = event.message;
    return {
      botId: m.botId,
      telegramUserId: int64ToNumber(m.telegramUserId),
      planLevel: null,
      endsAt: null,
      groupShared: false,
      changedAt: required(m.revokedAt, 'revoked_at', subject),
    };
  }
  throw new ParkEventError(`unexpected ${subject}`);
}

/**
 * The member's plan level follows their subscription: a period started or extended sets its plan's quota
 * level until its end, an expiry or a revocation clears it. consume-quota reads it when the request names
 * no plan, so the daily quota changes when premium starts and ends without anyone calling this service.
 */
export const onSubscriptionChanged: ConsumerDefinition = {
  name: 'users--plan-levels',
  source: 'subscriptions',
  subjects: [SubscriptionStartedSchema, SubscriptionExtendedSchema, SubscriptionExpiredSchema, SubscriptionRevokedSchema].map(subjectOf),
  handle: async (event, { em }) => {
    const change = changeOf(event);
    await runSql(
      em,
      `INSERT INTO users.member_plan_levels (bot_id, telegram_user_id, plan_level, ends_at, changed_at, group_shared)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (bot_id, telegram_user_id) DO UPDATE
         SET plan_level = excluded.plan_level, ends_at = excluded.ends_at, changed_at = excluded.changed_at,
             group_shared = excluded.group_shared, updated_at = now()
         WHERE member_plan_levels.changed_at <= excluded.changed_at`,
      [change.botId, change.telegramUserId, change.planLevel, change.endsAt?.toISOString() ?? null, change.changedAt.toISOString(), change.groupShared],
    );
  },
};
