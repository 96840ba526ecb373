import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import { cancelTimer, scheduleTimer, type TimerChange, type TimerSpec } from '@botplatform/scheduler';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SUBSCRIPTION_EVENT_TYPES, type SubscriptionEvent } from './subscription.decider.js';
import { firstRenewalAttemptAt } from './wallet-renewal.js';

/** The timer that records a period's end at the exact instant it passes (one per member and bot). */
export const EXPIRY_TIMER = 'subscription-expiry';
/** A timer per period end and number of days before it: the member is reminded that the period ends. */
export const REMINDER_TIMER = 'subscription-reminder';

/** A timer per period end and attempt: the period is renewed from the member's wallet. */
export const RENEWAL_TIMER = 'subscription-renewal';

/** What the expiry timer carries: whose subscription to expire. */
export interface ExpiryTimerPayload {
  readonly botId: string;
  readonly telegramUserId: number;
}

/** What a reminder timer carries: whose period, which end, how many days before it. */
export interface ReminderTimerPayload extends ExpiryTimerPayload {
  readonly endsAt: string;
  readonly daysBefore: number;
}

/** What a renewal timer carries: whose period, which end, which attempt (1 for the first). */
export interface RenewalTimerPayload extends ExpiryTimerPayload {
  readonly endsAt: string;
  readonly attempt: number;
}

const DAY_MS = 86_400_000;

/** One member's subscription in one bot: the expiry timer's identity, so an extension moves the one timer. */
export const expiryTimerKey = (botId: string, telegramUserId: number): string => `${botId}:${telegramUserId}`;

/** A reminder's identity: the period (by its end) and the days before it (ADR 0013: the period is in the key). */
export const reminderTimerKey = (botId: string, telegramUserId: number, endsAt: string, daysBefore: number): string =>
  `${botId}:${telegramUserId}:${endsAt}:${daysBefore}d`;

/** A renewal attempt's identity: the period (by its end) and the attempt's number. */
export const renewalTimerKey = (botId: string, telegramUserId: number, endsAt: string, attempt: number): string =>
  `${botId}:${telegramUserId}:${endsAt}:#${attempt}`;

const renewalTimer = (member: ExpiryTimerPayload, endsAt: string, attempt: number, at: string): TimerSpec => ({
  kind: RENEWAL_TIMER,
  key: renewalTimerKey(member.botId, member.telegramUserId, endsAt, attempt),
  dueAt: new Date(at),
  payload: { ...member, endsAt, attempt } satisfies RenewalTimerPayload,
});

/**
 * Which timers one subscription event schedules or cancels, given the bot's reminder days:
 * - a period started or extended arms the expiry at its (new) end, replacing the timer of the old end,
 *   and a reminder `n` days before the end for each of `reminderDays` still ahead of the event (a
 *   one-day trial gets no 3-day reminder); an extension cancels the reminders of the old end;
 * - a revocation removes the pending expiry. Its pending reminders stay, and remind nobody: the decider
 *   answers a reminder of a period that no longer runs with nothing.
 * An expiry recorded by the timer needs nothing; one recorded by a grant after a missed end is followed
 * by the grant's own start, which re-arms the timer.
 *
 * The wallet renewal (wallet-renewal.ts): a start or extension that is not a trial nor a Stars
 * subscription's arms attempt 1 of its new end; a failed attempt arms the next one; a resumed renewal
 * re-arms the attempt that was next. The renewal timers of an old end are not cancelled (an extension
 * may be made inside a renewal timer's own transaction): the decider answers them with nothing.
 */
export function subscriptionTimerChanges(event: RecordedEvent<SubscriptionEvent>, reminderDays: readonly number[]): TimerChange[] {
  const { botId, telegramUserId } = event.data;
  const member = { botId, telegramUserId };
  const arm = (endsAt: string, at: string): TimerChange[] => [
    {
      schedule: { kind: EXPIRY_TIMER, key: expiryTimerKey(botId, telegramUserId), dueAt: new Date(endsAt), payload: member satisfies ExpiryTimerPayload },
      ifExists: 'replace',
    },
    ...reminderDays
      .filter((days) => Date.parse(endsAt) - days * DAY_MS > Date.parse(at))
      .map(
        (daysBefore): TimerChange => ({
          schedule: {
            kind: REMINDER_TIMER,
            key: reminderTimerKey(botId, telegramUserId, endsAt, daysBefore),
            dueAt: new Date(Date.parse(endsAt) - daysBefore * DAY_MS),
            payload: { ...member, endsAt, daysBefore } satisfies ReminderTimerPayload,
          },
        }),
      ),
  ];
  const renewal = (endsAt: string, at: string): TimerChange[] =>
    event.type === 'SubscriptionStarted' || event.type === 'SubscriptionExtended'
      ? event.data.trial || event.data.starsSubscription
        ? []
        : [{ schedule: renewalTimer(member, endsAt, 1, firstRenewalAttemptAt(at, endsAt)) }]
      : [];
  switch (event.type) {
    case 'SubscriptionStarted':
      return [...arm(event.data.endsAt, event.data.startedAt), ...renewal(event.data.endsAt, event.data.startedAt)];
    case 'SubscriptionExtended':
      return [
        ...reminderDays.map(
          (daysBefore): TimerChange => ({
            cancel: { kind: REMINDER_TIMER, key: reminderTimerKey(botId, telegramUserId, event.data.previousEndsAt, daysBefore) },
          }),
        ),
        ...arm(event.data.endsAt, event.data.extendedAt),
        ...renewal(event.data.endsAt, event.data.extendedAt),
      ];
    case 'RenewalAttemptFailed':
      return event.data.nextAttemptAt ? [{ schedule: renewalTimer(member, event.data.endsAt, event.data.attempt + 1, event.data.nextAttemptAt) }] : [];
    case 'RenewalResumed': {
      const attempt = event.data.renewalAttempt;
      // Replaced: the attempt may have fired while renewal was off, and did nothing then.
      return attempt ? [{ schedule: renewalTimer(member, event.data.endsAt, attempt.attempt, attempt.at), ifExists: 'replace' }] : [];
    }
    case 'SubscriptionRevoked':
      return [{ cancel: { kind: EXPIRY_TIMER, key: expiryTimerKey(botId, telegramUserId) } }];
    default:
      return [];
  }
}

/** The days before a period's end a bot's members are reminded, read in the append's transaction. */
export type ReminderDaysOf = (em: EntityManager, botId: string) => Promise<readonly number[]>;

const isSubscriptionEvent = (event: RecordedEvent): event is RecordedEvent<SubscriptionEvent> =>
  (SUBSCRIPTION_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The schedule as an inline projection of the subscription's CommandHandler (what `timerProjection`
 * does, with the bot's reminder days looked up first): the timers are written in the append's
 * transaction, so a timer exists exactly when its event does (ADR 0013).
 */
export function subscriptionTimersProjection(reminderDaysOf: ReminderDaysOf): InlineProjection {
  return {
    name: 'subscriptions.timers',
    async apply(events, em) {
      for (const event of events) {
        if (!isSubscriptionEvent(event)) continue;
        const arms = event.type === 'SubscriptionStarted' || event.type === 'SubscriptionExtended';
        const changes = subscriptionTimerChanges(event, arms ? await reminderDaysOf(em, event.data.botId) : []);
        for (const change of changes) {
          if ('cancel' in change) await cancelTimer(em, change.cancel.kind, change.cancel.key);
          else await scheduleTimer(em, change.schedule, { ifExists: change.ifExists });
        }
      }
    },
  };
}
