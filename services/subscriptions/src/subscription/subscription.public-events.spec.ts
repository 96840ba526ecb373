import { SubscriptionExpiredSchema, SubscriptionRenewalFailedSchema, timestampFromDate } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { SubscriptionEvent } from './subscription.decider.js';
import { subscriptionPublicEvents } from './subscription.public-events.js';

const member = { botId: '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10', telegramUserId: 7_000_001 };
const recorded = (event: SubscriptionEvent) => event as unknown as RecordedEvent;
const at = (iso: string) => timestampFromDate(new Date(iso));

describe('The public events of the wallet renewal', () => {
  it('publishes a failed attempt as subscriptions.subscription.renewal_failed.v1, with the next attempt while there is one', () => {
    const failed = {
      ...member,
      planId: 'p',
      endsAt: '2026-12-01T12:00:00.000Z',
      attempt: 1,
      reason: 'insufficient_balance' as const,
      failedAt: '2026-11-30T12:00:00.000Z',
      nextAttemptAt: '2026-11-30T13:00:00.000Z',
    };
    expect(subscriptionPublicEvents(recorded({ type: 'RenewalAttemptFailed', data: failed }))).toEqual({
      schema: SubscriptionRenewalFailedSchema,
      message: {
        botId: member.botId,
        telegramUserId: 7_000_001n,
        planId: 'p',
        endsAt: at(failed.endsAt),
        attempt: 1,
        reason: 'insufficient_balance',
        failedAt: at(failed.failedAt),
        nextAttemptAt: at(failed.nextAttemptAt),
      },
    });
    const last = subscriptionPublicEvents(recorded({ type: 'RenewalAttemptFailed', data: { ...failed, attempt: 4, nextAttemptAt: null } }));
    expect(last?.message).not.toHaveProperty('nextAttemptAt');
  });

  it('says why a period expired', () => {
    const expired = subscriptionPublicEvents(
      recorded({ type: 'SubscriptionExpired', data: { ...member, planId: 'p', endedAt: '2026-12-01T12:00:00.000Z', reason: 'insufficient_balance' } }),
    );
    expect(expired).toEqual({
      schema: SubscriptionExpiredSchema,
      message: { botId: member.botId, telegramUserId: 7_000_001n, planId: 'p', endedAt: at('2026-12-01T12:00:00.000Z'), reason: 'insufficient_balance' },
    });
  });
});
