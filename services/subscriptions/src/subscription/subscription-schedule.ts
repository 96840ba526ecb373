import type { RecordedEvent } from '@botplatform/event-store';
import { timerProjection, type TimerChange } from '@botplatform/scheduler';
import type { SubscriptionEvent } from './subscription.decider.js';

/** The timer that records a period's end at the exact instant it passes (one per member and bot). */
export const EXPIRY_TIMER = 'subscription-expiry';

/** What the expiry timer carries: whose subscription to expire. */
export interface ExpiryTimerPayload {
  readonly botId: string;
  readonly telegramUserId: number;
}

/** One member's subscription in one bot: the expiry timer's identity, so an extension moves the one timer. */
export const expiryTimerKey = (botId: string, telegramUserId: number): string => `${botId}:${telegramUserId}`;

/**
 * Which timers each subscription event schedules or cancels, written in the append's transaction (ADR 0013):
 * - a period started or extended arms the expiry at its (new) end, replacing the timer of the old end;
 * - a revocation removes the pending expiry (nothing is left to expire).
 * An expiry recorded by the timer needs nothing; one recorded by a grant after a missed end is followed
 * by the grant's own start, which re-arms the timer.
 */
export function subscriptionTimerChanges(event: RecordedEvent<SubscriptionEvent>): TimerChange[] {
  const { botId, telegramUserId } = event.data;
  const expiry = (endsAt: string): TimerChange => ({
    schedule: {
      kind: EXPIRY_TIMER,
      key: expiryTimerKey(botId, telegramUserId),
      dueAt: new Date(endsAt),
      payload: { botId, telegramUserId } satisfies ExpiryTimerPayload,
    },
    ifExists: 'replace',
  });
  switch (event.type) {
    case 'SubscriptionStarted':
    case 'SubscriptionExtended':
      return [expiry(event.data.endsAt)];
    case 'SubscriptionRevoked':
      return [{ cancel: { kind: EXPIRY_TIMER, key: expiryTimerKey(botId, telegramUserId) } }];
    default:
      return [];
  }
}

/** The schedule as an inline projection of the subscription's CommandHandler. */
export const subscriptionTimersProjection = timerProjection<SubscriptionEvent>('subscriptions.timers', subscriptionTimerChanges);
