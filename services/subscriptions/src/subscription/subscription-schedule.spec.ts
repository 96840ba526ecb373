import type { RecordedEvent } from '@botplatform/event-store';
import { EXPIRY_TIMER, REMINDER_TIMER, RENEWAL_TIMER, subscriptionTimerChanges } from './subscription-schedule.js';
import type { SubscriptionEvent } from './subscription.decider.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const ANN = 7_000_001;
const member = { botId: BOT, telegramUserId: ANN };
const DAY = 86_400_000;
const T0 = '2026-11-01T12:00:00.000Z';
const day = (n: number) => new Date(Date.parse(T0) + n * DAY).toISOString();
const grant = { planId: 'p', source: 'payment' as const, trial: false, grantId: 'g', entitlements: { quotaLevel: null, featureKeys: [], limits: [] } };
const recorded = (event: SubscriptionEvent) => event as RecordedEvent<SubscriptionEvent>;

describe('The timers of a subscription', () => {
  it('arms the expiry at the end and a reminder n days before it for each of the bot days', () => {
    const changes = subscriptionTimerChanges(
      recorded({ type: 'SubscriptionStarted', data: { ...member, ...grant, days: 30, startedAt: T0, endsAt: day(30) } }),
      [3, 1],
    );
    expect(changes).toEqual([
      { schedule: { kind: EXPIRY_TIMER, key: `${BOT}:${ANN}`, dueAt: new Date(day(30)), payload: member }, ifExists: 'replace' },
      {
        schedule: {
          kind: REMINDER_TIMER,
          key: `${BOT}:${ANN}:${day(30)}:3d`,
          dueAt: new Date(day(27)),
          payload: { ...member, endsAt: day(30), daysBefore: 3 },
        },
      },
      {
        schedule: {
          kind: REMINDER_TIMER,
          key: `${BOT}:${ANN}:${day(30)}:1d`,
          dueAt: new Date(day(29)),
          payload: { ...member, endsAt: day(30), daysBefore: 1 },
        },
      },
      // The wallet renewal's first attempt, 24 h before the end.
      { schedule: { kind: RENEWAL_TIMER, key: `${BOT}:${ANN}:${day(30)}:#1`, dueAt: new Date(day(29)), payload: { ...member, endsAt: day(30), attempt: 1 } } },
    ]);
  });

  it('gives a period too short for a reminder none (a 2-day trial, reminded 3 days before)', () => {
    const changes = subscriptionTimerChanges(
      recorded({ type: 'SubscriptionStarted', data: { ...member, ...grant, trial: true, days: 2, startedAt: T0, endsAt: day(2) } }),
      [3, 1],
    );
    expect(changes.map((c) => ('schedule' in c ? c.schedule.key : c.cancel.key))).toEqual([`${BOT}:${ANN}`, `${BOT}:${ANN}:${day(2)}:1d`]);
  });

  it('moves the expiry on an extension, and swaps the reminders of the old end for those of the new', () => {
    const changes = subscriptionTimerChanges(
      recorded({ type: 'SubscriptionExtended', data: { ...member, ...grant, days: 30, previousEndsAt: day(30), endsAt: day(60), extendedAt: day(10) } }),
      [3],
    );
    expect(changes).toEqual([
      { cancel: { kind: REMINDER_TIMER, key: `${BOT}:${ANN}:${day(30)}:3d` } },
      { schedule: { kind: EXPIRY_TIMER, key: `${BOT}:${ANN}`, dueAt: new Date(day(60)), payload: member }, ifExists: 'replace' },
      {
        schedule: {
          kind: REMINDER_TIMER,
          key: `${BOT}:${ANN}:${day(60)}:3d`,
          dueAt: new Date(day(57)),
          payload: { ...member, endsAt: day(60), daysBefore: 3 },
        },
      },
      // The new end's first renewal attempt; the old end's stay, and find their period gone.
      { schedule: { kind: RENEWAL_TIMER, key: `${BOT}:${ANN}:${day(60)}:#1`, dueAt: new Date(day(59)), payload: { ...member, endsAt: day(60), attempt: 1 } } },
    ]);
  });

  it('arms no wallet renewal for a Stars subscription, the next attempt after a failure, and the next one again on a resumed renewal', () => {
    const stars = subscriptionTimerChanges(
      recorded({ type: 'SubscriptionStarted', data: { ...member, ...grant, starsSubscription: true, days: 30, startedAt: T0, endsAt: day(30) } }),
      [],
    );
    expect(stars.filter((c) => 'schedule' in c && c.schedule.kind === RENEWAL_TIMER)).toEqual([]);
    const failed = { ...member, planId: 'p', endsAt: day(30), attempt: 1, reason: 'insufficient_balance' as const, failedAt: day(29) };
    const next = new Date(Date.parse(day(29)) + 3_600_000);
    expect(subscriptionTimerChanges(recorded({ type: 'RenewalAttemptFailed', data: { ...failed, nextAttemptAt: next.toISOString() } }), [])).toEqual([
      { schedule: { kind: RENEWAL_TIMER, key: `${BOT}:${ANN}:${day(30)}:#2`, dueAt: next, payload: { ...member, endsAt: day(30), attempt: 2 } } },
    ]);
    expect(subscriptionTimerChanges(recorded({ type: 'RenewalAttemptFailed', data: { ...failed, attempt: 4, nextAttemptAt: null } }), [])).toEqual([]);
    const resumed = { ...member, planId: 'p', endsAt: day(30), resumedAt: day(29), renewalAttempt: { attempt: 2, at: day(29) } };
    expect(subscriptionTimerChanges(recorded({ type: 'RenewalResumed', data: resumed }), [])).toEqual([
      {
        schedule: { kind: RENEWAL_TIMER, key: `${BOT}:${ANN}:${day(30)}:#2`, dueAt: new Date(day(29)), payload: { ...member, endsAt: day(30), attempt: 2 } },
        ifExists: 'replace',
      },
    ]);
  });

  it('cancels the expiry on a revocation and schedules nothing for other events', () => {
    expect(
      subscriptionTimerChanges(
        recorded({
          type: 'SubscriptionRevoked',
          data: { ...member, planId: 'p', reason: 'refund', revokedBy: 'payments', revokedAt: T0, creditsForfeited: 0 },
        }),
        [3, 1],
      ),
    ).toEqual([{ cancel: { kind: EXPIRY_TIMER, key: `${BOT}:${ANN}` } }]);
    expect(subscriptionTimerChanges(recorded({ type: 'SubscriptionExpired', data: { ...member, planId: 'p', endedAt: T0 } }), [3, 1])).toEqual([]);
  });
});
