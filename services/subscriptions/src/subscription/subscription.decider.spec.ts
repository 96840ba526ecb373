import { DeciderSpecification } from '@botplatform/event-store';
import {
  subscriptionDecider,
  subscriptionStreamId,
  type CreditsAdded,
  type RenewalAttemptFailed,
  type RenewalFailureReason,
  type Entitlements,
  type GrantedPlan,
  type ReminderDue,
  type SubscriptionCommand,
  type SubscriptionEvent,
  type SubscriptionStarted,
} from './subscription.decider.js';
import {
  AlreadySubscribedError,
  GrantOutOfRangeError,
  InvalidAmountError,
  NoCreditsError,
  NotSubscribedError,
  TrialAlreadyTakenError,
} from './subscription.errors.js';
import { RENEWAL_ATTEMPTS, firstRenewalAttemptAt, nextRenewalAttemptAt, renewalAttemptOf, renewalFailureOf } from './wallet-renewal.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const ANN = 7_000_001;
const member = { botId: BOT, telegramUserId: ANN };
const premium: Entitlements = { quotaLevel: 'premium', featureKeys: ['voice'], limits: [{ key: 'devices', value: 3 }] };
const MONTH: GrantedPlan = { planId: 'a1111111-1111-4111-8111-111111111111', kind: { periodDays: 30 }, trial: false, entitlements: premium };
const TRIAL: GrantedPlan = { planId: 'b2222222-2222-4222-8222-222222222222', kind: { periodDays: 7 }, trial: true, entitlements: premium };
const PACK: GrantedPlan = {
  planId: 'c3333333-3333-4333-8333-333333333333',
  kind: { credits: 20 },
  trial: false,
  entitlements: { quotaLevel: null, featureKeys: [], limits: [] },
};

const DAY = 86_400_000;
const T0 = '2026-11-01T12:00:00.000Z';
const day = (n: number) => new Date(Date.parse(T0) + n * DAY).toISOString();

const grant = (grantId: string, plan: GrantedPlan, now: string): SubscriptionCommand => ({
  type: 'GrantSubscription',
  ...member,
  grantId,
  plan,
  source: 'payment',
  grantedBy: 'payments',
  now,
});
const started = (overrides: Partial<SubscriptionStarted['data']> = {}): SubscriptionStarted => ({
  type: 'SubscriptionStarted',
  data: {
    ...member,
    planId: MONTH.planId,
    source: 'payment',
    trial: false,
    grantId: 'g-1',
    entitlements: premium,
    days: 30,
    startedAt: T0,
    endsAt: day(30),
    ...overrides,
  },
});
const trialStarted = started({ planId: TRIAL.planId, source: 'trial', trial: true, grantId: null, days: 7, endsAt: day(7) });
const creditsAdded = (balance: number, grantId = 'pack-1'): CreditsAdded => ({
  type: 'CreditsAdded',
  data: { ...member, planId: PACK.planId, source: 'payment', trial: false, grantId, entitlements: PACK.entitlements, credits: 20, balance, addedAt: T0 },
});
const expired: SubscriptionEvent = { type: 'SubscriptionExpired', data: { ...member, planId: MONTH.planId, endedAt: day(30), reason: 'ended' } };

describe('Subscription', () => {
  const spec = DeciderSpecification.for(subscriptionDecider);

  describe('a grant', () => {
    it('starts a period from now for a member without one, recording its source', () => {
      spec
        .given([])
        .when(grant('g-1', MONTH, T0))
        .then([started()]);
    });

    it('adds a second purchase to the current end: 30 days, then 30 more on day 10, end at start + 60 days', () => {
      spec
        .given([started()])
        .when(grant('g-2', MONTH, day(10)))
        .then([
          {
            type: 'SubscriptionExtended',
            data: {
              ...member,
              planId: MONTH.planId,
              source: 'payment',
              trial: false,
              grantId: 'g-2',
              entitlements: premium,
              days: 30,
              previousEndsAt: day(30),
              endsAt: day(60),
              extendedAt: day(10),
            },
          },
        ]);
    });

    it('starts afresh from now once the period has ended, recording the expiry first when it was not recorded', () => {
      spec
        .given([started()])
        .when(grant('g-2', MONTH, day(45)))
        .then([expired, started({ grantId: 'g-2', startedAt: day(45), endsAt: day(75) })]);
      spec
        .given([started(), expired])
        .when(grant('g-2', MONTH, day(45)))
        .then([started({ grantId: 'g-2', startedAt: day(45), endsAt: day(75) })]);
    });

    it('does nothing for a grant id seen before, however late it comes again', () => {
      spec
        .given([started()])
        .when(grant('g-1', MONTH, day(1)))
        .then([]);
      spec
        .given([started(), expired])
        .when(grant('g-1', MONTH, day(90)))
        .then([]);
      spec
        .given([creditsAdded(20)])
        .when(grant('pack-1', PACK, day(1)))
        .then([]);
    });

    it('adds a credit pack to the balance', () => {
      spec
        .given([])
        .when(grant('pack-1', PACK, T0))
        .then([creditsAdded(20)]);
      spec
        .given([creditsAdded(20)])
        .when(grant('pack-2', PACK, T0))
        .then([creditsAdded(40, 'pack-2')]);
    });

    it('is refused when it would take the credits past an int32 or the end past 9999-12-31, which no event could carry', () => {
      spec
        .given([creditsAdded(2_147_483_640)])
        .when(grant('pack-2', PACK, T0))
        .thenThrows(GrantOutOfRangeError, (error) => expect((error as GrantOutOfRangeError).code).toBe('SUBSCRIPTIONS.GRANT_OUT_OF_RANGE'));
      spec
        .given([started({ endsAt: '9999-12-15T00:00:00.000Z' })])
        .when(grant('g-2', MONTH, day(1)))
        .thenThrows(GrantOutOfRangeError);
    });

    it('of the trial plan (a paid trial) is refused once the trial was taken', () => {
      spec
        .given([trialStarted, { type: 'SubscriptionExpired', data: { ...member, planId: TRIAL.planId, endedAt: day(7) } }])
        .when(grant('g-9', TRIAL, day(20)))
        .thenThrows(TrialAlreadyTakenError);
    });
  });

  describe('the trial', () => {
    const startTrial = (now: string, plan: GrantedPlan = TRIAL): SubscriptionCommand => ({ type: 'StartTrial', ...member, plan, now });

    it('starts a trial period with the source trial', () => {
      spec.given([]).when(startTrial(T0)).then([trialStarted]);
    });

    it('is taken once per member, whether it still runs or ended long ago', () => {
      spec
        .given([trialStarted])
        .when(startTrial(day(1)))
        .thenThrows(TrialAlreadyTakenError, (error) => expect((error as TrialAlreadyTakenError).code).toBe('SUBSCRIPTIONS.TRIAL_ALREADY_TAKEN'));
      spec
        .given([trialStarted])
        .when(startTrial(day(400)))
        .thenThrows(TrialAlreadyTakenError);
    });

    it('is not offered to a member with a running paid period', () => {
      spec
        .given([started()])
        .when(startTrial(day(1)))
        .thenThrows(AlreadySubscribedError);
    });

    it('is offered after a paid period ended, if never taken', () => {
      spec
        .given([started(), expired])
        .when(startTrial(day(40)))
        .then([started({ planId: TRIAL.planId, source: 'trial', trial: true, grantId: null, days: 7, startedAt: day(40), endsAt: day(47) })]);
    });

    it('may be a credit pack, and then counts as taken too', () => {
      const trialPack = { ...PACK, trial: true };
      const added: CreditsAdded = {
        type: 'CreditsAdded',
        data: {
          ...member,
          planId: PACK.planId,
          source: 'trial',
          trial: true,
          grantId: null,
          entitlements: PACK.entitlements,
          credits: 20,
          balance: 20,
          addedAt: T0,
        },
      };
      spec.given([]).when(startTrial(T0, trialPack)).then([added]);
      spec
        .given([added])
        .when(startTrial(day(1), trialPack))
        .thenThrows(TrialAlreadyTakenError);
    });
  });

  describe('a revocation', () => {
    const revoke = (now: string): SubscriptionCommand => ({ type: 'RevokeSubscription', ...member, reason: 'refund', revokedBy: 'payments', now });

    it('ends the running period and forfeits the credits at once, with its reason', () => {
      spec
        .given([started(), creditsAdded(20)])
        .when(revoke(day(3)))
        .then([
          {
            type: 'SubscriptionRevoked',
            data: { ...member, planId: MONTH.planId, reason: 'refund', revokedBy: 'payments', revokedAt: day(3), creditsForfeited: 20 },
          },
        ]);
    });

    it('takes credits alone when no period runs, recording a due expiry first', () => {
      spec
        .given([started(), creditsAdded(20)])
        .when(revoke(day(31)))
        .then([
          expired,
          {
            type: 'SubscriptionRevoked',
            data: { ...member, planId: PACK.planId, reason: 'refund', revokedBy: 'payments', revokedAt: day(31), creditsForfeited: 20 },
          },
        ]);
    });

    it('is refused with NOT_SUBSCRIBED when there is nothing to take', () => {
      spec.given([]).when(revoke(T0)).thenThrows(NotSubscribedError);
      spec
        .given([started()])
        .when(revoke(day(3)))
        .then([
          {
            type: 'SubscriptionRevoked',
            data: { ...member, planId: MONTH.planId, reason: 'refund', revokedBy: 'payments', revokedAt: day(3), creditsForfeited: 0 },
          },
        ]);
      spec
        .given([
          started(),
          {
            type: 'SubscriptionRevoked',
            data: { ...member, planId: MONTH.planId, reason: 'refund', revokedBy: 'payments', revokedAt: day(3), creditsForfeited: 0 },
          },
        ])
        .when(revoke(day(4)))
        .thenThrows(NotSubscribedError);
    });

    it('leaves the member free to be granted again, from the time of the new grant', () => {
      spec
        .given([
          started(),
          {
            type: 'SubscriptionRevoked',
            data: { ...member, planId: MONTH.planId, reason: 'admin', revokedBy: 'telegram:1', revokedAt: day(3), creditsForfeited: 0 },
          },
        ])
        .when(grant('g-2', MONTH, day(5)))
        .then([started({ grantId: 'g-2', startedAt: day(5), endsAt: day(35) })]);
    });
  });

  describe('renewal', () => {
    const cancel = (now: string): SubscriptionCommand => ({ type: 'CancelRenewal', ...member, now });
    const resume = (now: string): SubscriptionCommand => ({ type: 'ResumeRenewal', ...member, now });
    const cancelled: SubscriptionEvent = { type: 'RenewalCancelled', data: { ...member, planId: MONTH.planId, endsAt: day(30), cancelledAt: day(2) } };

    it('is cancelled while the period runs, which keeps it to its end', () => {
      spec
        .given([started()])
        .when(cancel(day(2)))
        .then([cancelled]);
    });

    it('is resumed after a cancellation; repeating either changes nothing', () => {
      spec
        .given([started(), cancelled])
        .when(resume(day(3)))
        .then([
          {
            type: 'RenewalResumed',
            // The wallet renewal's first attempt stays where it was: 24 h before the end.
            data: { ...member, planId: MONTH.planId, endsAt: day(30), resumedAt: day(3), renewalAttempt: { attempt: 1, at: day(29) } },
          },
        ]);
      spec
        .given([started(), cancelled])
        .when(cancel(day(3)))
        .then([]);
      spec
        .given([started()])
        .when(resume(day(3)))
        .then([]);
    });

    it('is refused with NOT_SUBSCRIBED without a running period', () => {
      spec.given([]).when(cancel(T0)).thenThrows(NotSubscribedError);
      spec
        .given([started()])
        .when(resume(day(31)))
        .thenThrows(NotSubscribedError);
    });
  });

  describe('wallet renewal', () => {
    const STREAM = subscriptionStreamId(BOT, ANN);
    const KEY = `renewal:${STREAM}:${day(30)}`;
    const HOUR = 3_600_000;
    const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    const stateOf = (events: SubscriptionEvent[]) => events.reduce(subscriptionDecider.evolve, subscriptionDecider.initialState());
    const attemptOf = (events: SubscriptionEvent[], attempt: number, now: string, endsAt = day(30)) =>
      renewalAttemptOf(stateOf(events), STREAM, { endsAt, attempt, now });
    const fail = (attempt: number, now: string, reason: RenewalFailureReason = 'insufficient_balance'): SubscriptionCommand => ({
      type: 'RecordRenewalFailure',
      ...member,
      endsAt: day(30),
      attempt,
      reason,
      now,
    });
    const failed = (
      attempt: number,
      failedAt: string,
      nextAttemptAt: string | null,
      reason: RenewalFailureReason = 'insufficient_balance',
    ): RenewalAttemptFailed => ({
      type: 'RenewalAttemptFailed',
      data: { ...member, planId: MONTH.planId, endsAt: day(30), attempt, reason, failedAt, nextAttemptAt },
    });
    const renew = (now: string): SubscriptionCommand => ({ ...grant(KEY, MONTH, now), renewal: true }) as SubscriptionCommand;

    it('attempts a paid period 24 h before its end, under one key per period', () => {
      expect(attemptOf([started()], 1, day(29))).toEqual({ attempt: { key: KEY, planId: MONTH.planId } });
      expect(stateOf([started()]).view.period?.walletRenewal).toEqual({ nextAttemptAt: day(29), failures: 0, lastFailure: null });
      // The next period has a key of its own.
      const extended: SubscriptionEvent = {
        type: 'SubscriptionExtended',
        data: { ...started().data, grantId: KEY, renewal: true, previousEndsAt: day(30), endsAt: day(60), extendedAt: day(29) } as never,
      };
      expect(attemptOf([started(), extended], 1, day(59), day(60))).toEqual({ attempt: { key: `renewal:${STREAM}:${day(60)}`, planId: MONTH.planId } });
    });

    it('first attempts a period shorter than two days half-way through it', () => {
      expect(firstRenewalAttemptAt(T0, at(T0, 30 * HOUR))).toBe(at(T0, 15 * HOUR));
      expect(firstRenewalAttemptAt(T0, day(30))).toBe(day(29));
    });

    it('attempts nothing for a trial, a Stars subscription, a cancelled renewal, another end, a period renewed, over or of a stale attempt', () => {
      expect(attemptOf([trialStarted], 1, day(6), day(7))).toEqual({ skip: 'not_renewable' });
      expect(attemptOf([started({ starsSubscription: true })], 1, day(29))).toEqual({ skip: 'not_renewable' });
      const cancelled: SubscriptionEvent = { type: 'RenewalCancelled', data: { ...member, planId: MONTH.planId, endsAt: day(30), cancelledAt: day(2) } };
      expect(attemptOf([started(), cancelled], 1, day(29))).toEqual({ skip: 'renewal_cancelled' });
      expect(attemptOf([started()], 1, day(29), day(31))).toEqual({ skip: 'other_period' });
      expect(attemptOf([started()], 1, day(30))).toEqual({ skip: 'not_running' });
      expect(attemptOf([started(), failed(1, day(29), at(day(29), HOUR))], 1, day(29))).toEqual({ skip: 'stale_attempt' });
      // Granted under the key already (a retried timer after the extension committed): nothing more.
      const renewed = [started(), ...subscriptionDecider.decide(renew(day(29)), stateOf([started()]))];
      expect(attemptOf(renewed, 1, day(29), day(60))).toEqual({ attempt: { key: `renewal:${STREAM}:${day(60)}`, planId: MONTH.planId } });
      expect(renewalAttemptOf(stateOf(renewed), STREAM, { endsAt: day(30), attempt: 1, now: day(29) })).toEqual({ skip: 'other_period' });
    });

    it('extends a renewed period from its end, once per key', () => {
      spec
        .given([started()])
        .when(renew(day(29)))
        .then([
          {
            type: 'SubscriptionExtended',
            data: {
              ...member,
              planId: MONTH.planId,
              source: 'payment',
              trial: false,
              grantId: KEY,
              entitlements: premium,
              renewal: true,
              days: 30,
              previousEndsAt: day(30),
              endsAt: day(60),
              extendedAt: day(29),
            },
          },
        ]);
      const once = subscriptionDecider.decide(renew(day(29)), stateOf([started()]));
      spec
        .given([started(), ...once])
        .when(renew(at(day(29), 1_000)))
        .then([]);
    });

    it('retries a failure after 1 h, then 6 h, then 10 minutes before the end, then no more', () => {
      const first = failed(1, day(29), at(day(29), HOUR));
      spec
        .given([started()])
        .when(fail(1, day(29)))
        .then([first]);
      const second = failed(2, at(day(29), HOUR), at(day(29), 7 * HOUR));
      spec
        .given([started(), first])
        .when(fail(2, at(day(29), HOUR)))
        .then([second]);
      const third = failed(3, at(day(29), 7 * HOUR), at(day(30), -10 * 60_000));
      spec
        .given([started(), first, second])
        .when(fail(3, at(day(29), 7 * HOUR)))
        .then([third]);
      const fourth = failed(4, at(day(30), -10 * 60_000), null);
      spec
        .given([started(), first, second, third])
        .when(fail(4, at(day(30), -10 * 60_000)))
        .then([fourth]);
      // Even fired early, the fourth is the last.
      expect(nextRenewalAttemptAt(day(30), 4, day(29))).toBeNull();
      expect(RENEWAL_ATTEMPTS).toBe(4);
    });

    it('records a stale or repeated failure, or one of an ended period, not at all', () => {
      const first = failed(1, day(29), at(day(29), HOUR));
      spec
        .given([started(), first])
        .when(fail(1, day(29)))
        .then([]);
      spec
        .given([started()])
        .when(fail(2, day(29)))
        .then([]);
      spec
        .given([started()])
        .when(fail(1, day(31)))
        .then([]);
    });

    it('expires the period with the last failure as its reason, or the cancelled renewal', () => {
      const last = failed(4, at(day(30), -10 * 60_000), null, 'payments_unavailable');
      spec
        .given([started(), last])
        .when({ type: 'ExpireSubscription', ...member, now: day(30) })
        .then([{ type: 'SubscriptionExpired', data: { ...member, planId: MONTH.planId, endedAt: day(30), reason: 'payments_unavailable' } }]);
      const cancelled: SubscriptionEvent = { type: 'RenewalCancelled', data: { ...member, planId: MONTH.planId, endsAt: day(30), cancelledAt: day(2) } };
      spec
        .given([started(), cancelled])
        .when({ type: 'ExpireSubscription', ...member, now: day(30) })
        .then([{ type: 'SubscriptionExpired', data: { ...member, planId: MONTH.planId, endedAt: day(30), reason: 'renewal_cancelled' } }]);
    });

    it('resumed after a failed attempt, goes on with the next attempt, now at the earliest', () => {
      const first = failed(1, day(29), at(day(29), HOUR));
      const cancelled: SubscriptionEvent = { type: 'RenewalCancelled', data: { ...member, planId: MONTH.planId, endsAt: day(30), cancelledAt: day(29) } };
      spec
        .given([started(), first, cancelled])
        .when({ type: 'ResumeRenewal', ...member, now: at(day(29), 3 * HOUR) })
        .then([
          {
            type: 'RenewalResumed',
            data: {
              ...member,
              planId: MONTH.planId,
              endsAt: day(30),
              resumedAt: at(day(29), 3 * HOUR),
              renewalAttempt: { attempt: 2, at: at(day(29), 3 * HOUR) },
            },
          },
        ]);
    });

    it('reads payments refusals as typed reasons', () => {
      expect(renewalFailureOf('PAYMENTS.INSUFFICIENT_BALANCE')).toBe('insufficient_balance');
      expect(renewalFailureOf('PAYMENTS.PLAN_NOT_FOR_SALE')).toBe('plan_unavailable');
      expect(renewalFailureOf('RPC.TIMEOUT')).toBe('payments_unavailable');
      expect(renewalFailureOf(undefined)).toBe('payments_unavailable');
    });
  });

  describe('expiry', () => {
    const expire = (now: string): SubscriptionCommand => ({ type: 'ExpireSubscription', ...member, now });

    it('is recorded at the end of the period, once', () => {
      spec
        .given([started()])
        .when(expire(day(30)))
        .then([expired]);
      spec
        .given([started(), expired])
        .when(expire(day(31)))
        .then([]);
    });

    it('does nothing before the end (a period extended meanwhile) or without a period', () => {
      spec
        .given([started()])
        .when(expire(day(29)))
        .then([]);
      spec.given([]).when(expire(T0)).then([]);
    });
  });

  describe('reminders', () => {
    const remind = (now: string, daysBefore = 3, endsAt = day(30)): SubscriptionCommand => ({ type: 'RemindOfEnd', ...member, endsAt, daysBefore, now });
    const reminderDue = (daysBefore: number, overrides: Partial<ReminderDue['data']> = {}): ReminderDue => ({
      type: 'ReminderDue',
      data: { ...member, planId: MONTH.planId, trial: false, renewalCancelled: false, endsAt: day(30), daysBefore, remindedAt: day(27), ...overrides },
    });

    it('reminds once per period end and number of days, however often its timer fires', () => {
      spec
        .given([started()])
        .when(remind(day(27)))
        .then([reminderDue(3)]);
      spec
        .given([started(), reminderDue(3)])
        .when(remind(day(27)))
        .then([]);
      spec
        .given([started(), reminderDue(3)])
        .when(remind(day(29), 1))
        .then([reminderDue(1, { remindedAt: day(29) })]);
    });

    it('says whether it is the trial and whether the renewal is off', () => {
      const cancelled: SubscriptionEvent = { type: 'RenewalCancelled', data: { ...member, planId: TRIAL.planId, endsAt: day(7), cancelledAt: day(1) } };
      spec
        .given([trialStarted, cancelled])
        .when(remind(day(6), 1, day(7)))
        .then([reminderDue(1, { planId: TRIAL.planId, trial: true, renewalCancelled: true, endsAt: day(7), remindedAt: day(6) })]);
    });

    it('reminds again at the new end after an extension, and never of the old end', () => {
      const extended: SubscriptionEvent = {
        type: 'SubscriptionExtended',
        data: { ...started().data, days: 30, previousEndsAt: day(30), endsAt: day(60), extendedAt: day(28) } as never,
      };
      spec
        .given([started(), reminderDue(3), extended])
        .when(remind(day(57), 3, day(60)))
        .then([reminderDue(3, { endsAt: day(60), remindedAt: day(57) })]);
      spec
        .given([started(), extended])
        .when(remind(day(29), 1, day(30)))
        .then([]);
    });

    it('reminds nobody before its time, after the end, or once revoked', () => {
      spec
        .given([started()])
        .when(remind(day(26)))
        .then([]);
      spec
        .given([started(), expired])
        .when(remind(day(30)))
        .then([]);
      const revoked: SubscriptionEvent = {
        type: 'SubscriptionRevoked',
        data: { ...member, planId: MONTH.planId, reason: 'refund', revokedBy: 'payments', revokedAt: day(2), creditsForfeited: 0 },
      };
      spec
        .given([started(), revoked])
        .when(remind(day(27)))
        .then([]);
    });
  });

  describe('consuming a credit', () => {
    const consume = (requestId: string): SubscriptionCommand => ({ type: 'ConsumeCredit', ...member, requestId, now: day(1) });
    const consumed = (requestId: string, balance: number): SubscriptionEvent => ({
      type: 'CreditsConsumed',
      data: { ...member, requestId, balance, consumedAt: day(1) },
    });

    it('takes one credit off the balance', () => {
      spec
        .given([creditsAdded(20)])
        .when(consume('r-1'))
        .then([consumed('r-1', 19)]);
    });

    it('never goes below zero: NO_CREDITS, nothing consumed', () => {
      spec
        .given([])
        .when(consume('r-1'))
        .thenThrows(NoCreditsError, (error) => expect((error as NoCreditsError).code).toBe('SUBSCRIPTIONS.NO_CREDITS'));
      const history: SubscriptionEvent[] = [creditsAdded(20)];
      for (let i = 0; i < 20; i++) history.push(consumed(`r-${i}`, 19 - i));
      spec.given(history).when(consume('r-20')).thenThrows(NoCreditsError);
    });

    it('does nothing for a request id consumed before, even once the credits are gone', () => {
      spec
        .given([creditsAdded(20), consumed('r-1', 19)])
        .when(consume('r-1'))
        .then([]);
      spec
        .given([{ ...creditsAdded(1) }, consumed('r-1', 0)])
        .when(consume('r-1'))
        .then([]);
    });
  });

  describe("an admin's extension", () => {
    const extend = (grantId: string, days: number, now: string): SubscriptionCommand => ({
      type: 'ExtendSubscription',
      ...member,
      grantId,
      days,
      extendedBy: 'telegram:42',
      now,
    });

    it("moves the running end by N days, keeping the plan and what it gives, as the admin's", () => {
      spec
        .given([started()])
        .when(extend('x-1', 5, day(10)))
        .then([
          {
            type: 'SubscriptionExtended',
            data: {
              ...member,
              planId: MONTH.planId,
              source: 'admin',
              trial: false,
              grantId: 'x-1',
              entitlements: premium,
              days: 5,
              previousEndsAt: day(30),
              endsAt: day(35),
              extendedAt: day(10),
            },
          },
        ]);
    });

    it('extends once per key, and never a period that is not running', () => {
      spec
        .given([
          started(),
          {
            type: 'SubscriptionExtended',
            data: { ...started().data, source: 'admin', grantId: 'x-1', days: 5, previousEndsAt: day(30), endsAt: day(35), extendedAt: day(1) },
          } as SubscriptionEvent,
        ])
        .when(extend('x-1', 5, day(2)))
        .then([]);
      spec
        .given([])
        .when(extend('x-2', 5, T0))
        .thenThrows(NotSubscribedError);
      spec
        .given([started()])
        .when(extend('x-3', 5, day(30)))
        .thenThrows(NotSubscribedError);
    });

    it('refuses a number of days that is not a whole number from 1 to 3660', () => {
      for (const days of [0, -1, 1.5, 3_661]) {
        spec
          .given([started()])
          .when(extend('x-1', days, day(1)))
          .thenThrows(InvalidAmountError, (error) => expect((error as InvalidAmountError).code).toBe('SUBSCRIPTIONS.INVALID_AMOUNT'));
      }
    });

    it("keeps an admin's reason with a grant", () => {
      spec
        .given([])
        .when({ ...(grant('g-1', MONTH, T0) as Extract<SubscriptionCommand, { type: 'GrantSubscription' }>), source: 'admin', reason: 'a prize' })
        .then([started({ source: 'admin', reason: 'a prize' })]);
    });
  });
});
