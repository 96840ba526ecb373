import type { RpcCallError } from '@botplatform/bus';
import {
  RPC,
  SubscriptionCreditsAddedSchema,
  SubscriptionCreditsConsumedSchema,
  SubscriptionExtendedSchema,
  SubscriptionRevokedSchema,
  SubscriptionSource,
  SubscriptionStartedSchema,
  timestampDate,
  type ConsumeReplyJson,
  type GrantSubscriptionRequestJson,
  type PlanDefinitionJson,
  type SubscriptionReplyJson,
} from '@botplatform/contracts';
import { waitFor } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { startSubscriptionsTestService, type SubscriptionsTestService } from '../testing/subscriptions-test-service.js';
import { SubscriptionAccess } from './subscription-access.entity.js';

const T0 = new Date('2026-11-01T12:00:00.000Z');
const DAY = 86_400_000;
const day = (n: number) => new Date(T0.getTime() + n * DAY).toISOString();

const text = [{ language: 'en', name: 'Plan', description: '' }];
const MONTH: PlanDefinitionJson = {
  texts: text,
  periodDays: 30,
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  featureKeys: ['voice'],
  active: true,
};
const PACK: PlanDefinitionJson = { texts: text, credits: 20, prices: [{ currency: 'XTR', amount: '100' }], active: true };
const TRIAL: PlanDefinitionJson = { texts: text, periodDays: 7, quotaLevel: 'premium', active: true, trial: true };

type Outcome<T> = { ok: T } | { error: RpcCallError };
const outcome = <T>(call: Promise<T>): Promise<Outcome<T>> =>
  call.then(
    (ok) => ({ ok }),
    (error: RpcCallError) => ({ error }),
  );

/** Members' subscriptions over request/reply: the service through startService, on its own database, with a test clock. */
describe('Subscriptions over request/reply', () => {
  let t: SubscriptionsTestService;
  let member = 7_000_000;
  const nextMember = () => String(++member);

  /** A bot of its own per test, with the three plans. */
  async function newBot(plans: Record<string, PlanDefinitionJson> = { month: MONTH, pack: PACK, trial: TRIAL }) {
    const botId = randomUUID();
    const ids: Record<string, string> = {};
    for (const [name, plan] of Object.entries(plans)) {
      ids[name] = randomUUID();
      await t.call(RPC.subscriptions.createPlan, { planId: ids[name], botId, plan });
    }
    return { botId, plans: ids };
  }
  const grant = (request: Omit<GrantSubscriptionRequestJson, 'grantId' | 'source' | 'grantedBy'> & Partial<GrantSubscriptionRequestJson>) =>
    t.call(RPC.subscriptions.grantSubscription, { grantId: randomUUID(), source: 'SUBSCRIPTION_SOURCE_PAYMENT', grantedBy: 'payments', ...request });
  const access = (botId: string, telegramUserId: string) => t.call(RPC.subscriptions.access, { botId, telegramUserId });
  const streamOf = (botId: string, telegramUserId: string) => t.streamEvents(`subscription-${botId}-${telegramUserId}`);

  beforeAll(async () => {
    t = await startSubscriptionsTestService('bp_subscriptions_rpc', T0);
  });

  afterEach(() => t.clock.set(T0));

  afterAll(async () => {
    await t?.close();
  });

  it('grants 30 days, then a second purchase on day 10 moves the end to the first start + 60 days', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    const first = await grant({ botId, telegramUserId: ann, planId: plans.month });
    expect(first).toEqual({
      subscription: { botId, telegramUserId: ann, planId: plans.month, source: 'SUBSCRIPTION_SOURCE_PAYMENT', startedAt: day(0), endsAt: day(30) },
      changed: true,
    });
    t.clock.set(day(10));
    const second = await grant({ botId, telegramUserId: ann, planId: plans.month });
    expect(second.subscription).toMatchObject({ startedAt: day(0), endsAt: day(60) });
    expect(await access(botId, ann)).toEqual({
      hasAccess: true,
      reason: 'ACCESS_REASON_PLAN',
      until: day(60),
      planId: plans.month,
      quotaLevel: 'premium',
      featureKeys: ['voice'],
    });

    const started = await waitFor('the started event', () => t.published(SubscriptionStartedSchema).find((e) => e.message.botId === botId));
    expect(started.message).toMatchObject({ telegramUserId: BigInt(ann), planId: plans.month, source: SubscriptionSource.PAYMENT, quotaLevel: 'premium' });
    expect(timestampDate(started.message.endsAt!).toISOString()).toBe(day(30));
    const extended = await waitFor('the extended event', () => t.published(SubscriptionExtendedSchema).find((e) => e.message.botId === botId));
    expect(extended.message).toMatchObject({ days: 30 });
    expect(timestampDate(extended.message.previousEndsAt!).toISOString()).toBe(day(30));
    expect(timestampDate(extended.message.endsAt!).toISOString()).toBe(day(60));
  });

  it('starts afresh from the new purchase when the period has ended, and denies access from its end', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    await grant({ botId, telegramUserId: ann, planId: plans.month });
    t.clock.set(day(30));
    expect(await access(botId, ann)).toEqual({ reason: 'ACCESS_REASON_NONE' });
    t.clock.set(day(45));
    expect((await grant({ botId, telegramUserId: ann, planId: plans.month })).subscription).toMatchObject({ startedAt: day(45), endsAt: day(75) });
    expect((await streamOf(botId, ann)).map((e) => e.type)).toEqual(['SubscriptionStarted', 'SubscriptionExpired', 'SubscriptionStarted']);
  });

  it('grants once per grant id: a duplicate answers the same subscription and records nothing', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    const request = { grantId: 'charge-42', botId, telegramUserId: ann, planId: plans.month };
    const first = await grant(request);
    t.clock.set(day(3));
    const again = await Promise.all([grant(request), grant(request), grant(request)]);
    for (const reply of again) expect(reply).toEqual({ subscription: first.subscription, changed: false });
    expect((await streamOf(botId, ann)).map((e) => e.type)).toEqual(['SubscriptionStarted']);
    expect((await access(botId, ann)).until).toBe(day(30));
  });

  it('refuses a grant of an unknown, foreign or archived plan', async () => {
    const { botId, plans } = await newBot();
    const other = await newBot();
    const ann = nextMember();
    expect((await t.failure(grant({ botId, telegramUserId: ann, planId: randomUUID() }))).code).toBe('SUBSCRIPTIONS.PLAN_NOT_FOUND');
    expect((await t.failure(grant({ botId, telegramUserId: ann, planId: other.plans.month }))).code).toBe('SUBSCRIPTIONS.PLAN_NOT_FOUND');
    await t.call(RPC.subscriptions.archivePlan, { botId, planId: plans.month });
    expect((await t.failure(grant({ botId, telegramUserId: ann, planId: plans.month }))).code).toBe('SUBSCRIPTIONS.PLAN_ARCHIVED');
    const refused = await t.failure(grant({ botId, telegramUserId: ann, planId: plans.pack, source: 'SUBSCRIPTION_SOURCE_TRIAL' }));
    expect(refused.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(refused.fields ?? {})).toEqual(['source']);
    expect(await streamOf(botId, ann)).toEqual([]);
  });

  it('keeps what an archived plan gave its subscribers', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    await grant({ botId, telegramUserId: ann, planId: plans.month });
    await t.call(RPC.subscriptions.archivePlan, { botId, planId: plans.month });
    expect(await access(botId, ann)).toMatchObject({ hasAccess: true, until: day(30), quotaLevel: 'premium' });
  });

  it('starts one trial when a member asks 20 times at once, and never another', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    const results = await Promise.all(Array.from({ length: 20 }, () => outcome(t.call(RPC.subscriptions.startTrial, { botId, telegramUserId: ann }))));
    const started = results.flatMap((r) => ('ok' in r ? [r.ok] : []));
    const refused = results.flatMap((r) => ('error' in r ? [r.error.code] : []));
    expect(started).toHaveLength(1);
    expect(started[0].subscription).toMatchObject({ planId: plans.trial, source: 'SUBSCRIPTION_SOURCE_TRIAL', endsAt: day(7), trialTaken: true });
    expect(refused).toEqual(Array(19).fill('SUBSCRIPTIONS.TRIAL_ALREADY_TAKEN'));
    expect(await access(botId, ann)).toMatchObject({ hasAccess: true, reason: 'ACCESS_REASON_TRIAL', until: day(7) });

    t.clock.set(day(100));
    expect((await t.failure(t.call(RPC.subscriptions.startTrial, { botId, telegramUserId: ann }))).code).toBe('SUBSCRIPTIONS.TRIAL_ALREADY_TAKEN');
    expect((await streamOf(botId, ann)).map((e) => e.type)).toEqual(['SubscriptionStarted']);
  });

  it('offers no trial to a subscriber, nor where the bot has none or it is paid', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    await grant({ botId, telegramUserId: ann, planId: plans.month });
    expect((await t.failure(t.call(RPC.subscriptions.startTrial, { botId, telegramUserId: ann }))).code).toBe('SUBSCRIPTIONS.ALREADY_SUBSCRIBED');
    const none = await newBot({ month: MONTH });
    expect((await t.failure(t.call(RPC.subscriptions.startTrial, { botId: none.botId, telegramUserId: ann }))).code).toBe('SUBSCRIPTIONS.NO_TRIAL');
    const paid = await newBot({ trial: { ...TRIAL, prices: [{ currency: 'XTR', amount: '1' }] } });
    expect((await t.failure(t.call(RPC.subscriptions.startTrial, { botId: paid.botId, telegramUserId: ann }))).code).toBe('SUBSCRIPTIONS.TRIAL_NOT_FREE');
  });

  it('lets exactly 20 of 50 simultaneous consumes of 20 credits through; the rest get SUBSCRIPTIONS.NO_CREDITS', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    await grant({ botId, telegramUserId: ann, planId: plans.pack });
    expect(await access(botId, ann)).toEqual({ hasAccess: true, reason: 'ACCESS_REASON_CREDITS', planId: plans.pack, credits: 20 });

    const results = await Promise.all(
      Array.from({ length: 50 }, () => outcome(t.call(RPC.subscriptions.consume, { requestId: randomUUID(), botId, telegramUserId: ann }))),
    );
    const passed = results.flatMap((r) => ('ok' in r ? [r.ok] : []));
    const refused = results.flatMap((r) => ('error' in r ? [r.error.code] : []));
    expect(passed).toHaveLength(20);
    expect(passed.map((r) => r.creditsLeft ?? 0).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(refused).toEqual(Array(30).fill('SUBSCRIPTIONS.NO_CREDITS'));
    expect((await streamOf(botId, ann)).filter((e) => e.type === 'CreditsConsumed')).toHaveLength(20);
    expect(await access(botId, ann)).toEqual({ reason: 'ACCESS_REASON_NONE' });
    const row = await t.service.dependencies.orm.em.fork().findOneOrFail(SubscriptionAccess, { botId, telegramUserId: ann });
    expect(row.credits).toBe(0);
  });

  it('consumes once per request id, even when the request is repeated at once', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    await grant({ botId, telegramUserId: ann, planId: plans.pack });
    const replies = await Promise.all(Array.from({ length: 5 }, () => t.call(RPC.subscriptions.consume, { requestId: 'use-1', botId, telegramUserId: ann })));
    expect(replies.filter((r: ConsumeReplyJson) => r.consumed)).toHaveLength(1);
    expect(replies.every((r) => r.creditsLeft === 19)).toBe(true);
    expect((await access(botId, ann)).credits).toBe(19);

    const added = await waitFor('the credits-added event', () => t.published(SubscriptionCreditsAddedSchema).find((e) => e.message.botId === botId));
    expect(added.message).toMatchObject({ planId: plans.pack, source: SubscriptionSource.PAYMENT, credits: 20, balance: 20 });
    const consumed = await waitFor('the credits-consumed event', () => t.published(SubscriptionCreditsConsumedSchema).find((e) => e.message.botId === botId));
    expect(consumed.message).toMatchObject({ telegramUserId: BigInt(ann), requestId: 'use-1', balance: 19 });
  });

  it('revokes at once: access is gone in the next request, the credits with it', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    await grant({ botId, telegramUserId: ann, planId: plans.month });
    await grant({ botId, telegramUserId: ann, planId: plans.pack });
    const revoked = await t.call(RPC.subscriptions.revokeSubscription, { botId, telegramUserId: ann, reason: 'refund', revokedBy: 'payments' });
    expect(revoked).toEqual({ subscription: { botId, telegramUserId: ann, revokedAt: day(0) }, changed: true });
    expect(await access(botId, ann)).toEqual({ reason: 'ACCESS_REASON_NONE' });
    expect((await t.failure(t.call(RPC.subscriptions.consume, { requestId: randomUUID(), botId, telegramUserId: ann }))).code).toBe('SUBSCRIPTIONS.NO_CREDITS');
    expect((await t.failure(t.call(RPC.subscriptions.revokeSubscription, { botId, telegramUserId: ann, reason: 'again', revokedBy: 'payments' }))).code).toBe(
      'SUBSCRIPTIONS.NOT_SUBSCRIBED',
    );
    const event = await waitFor('the revoked event', () => t.published(SubscriptionRevokedSchema).find((e) => e.message.botId === botId));
    expect(event.message).toMatchObject({ planId: plans.month, reason: 'refund', revokedBy: 'payments', creditsForfeited: 20 });
  });

  it('cancels and resumes the renewal while the period runs', async () => {
    const { botId, plans } = await newBot();
    const ann = nextMember();
    await grant({ botId, telegramUserId: ann, planId: plans.month });
    const renewal = (rpc: typeof RPC.subscriptions.cancelRenewal) => t.call(rpc, { botId, telegramUserId: ann });
    const cancelled: SubscriptionReplyJson = await renewal(RPC.subscriptions.cancelRenewal);
    expect(cancelled).toMatchObject({ subscription: { renewalCancelled: true, endsAt: day(30) }, changed: true });
    expect((await renewal(RPC.subscriptions.cancelRenewal)).changed).toBe(false);
    expect(await access(botId, ann)).toMatchObject({ hasAccess: true, until: day(30) });
    expect(await renewal(RPC.subscriptions.resumeRenewal)).toMatchObject({ subscription: { endsAt: day(30) }, changed: true });
    expect((await renewal(RPC.subscriptions.resumeRenewal)).subscription?.renewalCancelled).toBeUndefined();
    t.clock.set(day(31));
    expect((await t.failure(renewal(RPC.subscriptions.cancelRenewal))).code).toBe('SUBSCRIPTIONS.NOT_SUBSCRIBED');
    expect((await streamOf(botId, ann)).map((e) => e.type)).toEqual(['SubscriptionStarted', 'RenewalCancelled', 'RenewalResumed']);
  });

  it('refuses malformed requests with field errors', async () => {
    const bad = await t.failure(t.call(RPC.subscriptions.consume, { requestId: '', botId: 'bot', telegramUserId: '-5' }));
    expect(bad.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(bad.fields ?? {}).sort()).toEqual(['botId', 'requestId', 'telegramUserId']);
  });

  it('answers no access for a member it never saw', async () => {
    expect(await access(randomUUID(), '42')).toEqual({ reason: 'ACCESS_REASON_NONE' });
  });
});
