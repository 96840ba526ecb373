import {
  RPC,
  SubscriptionExpiredSchema,
  SubscriptionExtendedSchema,
  SubscriptionRevokedSchema,
  SubscriptionStartedSchema,
  numberToInt64,
  subjectOf,
  timestampFromDate,
  type DecodedEvent,
} from '@botplatform/contracts';
import { randomUUID } from 'node:crypto';
import { startUsersTestService, type UsersTestService } from '../user/testing/users-test-service.js';
import { onSubscriptionChanged } from './on-subscription-changed.consumer.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const DAY = 86_400_000;
const at = (days: number) => timestampFromDate(new Date(T0.getTime() + days * DAY));

type Schema = typeof SubscriptionStartedSchema | typeof SubscriptionExtendedSchema | typeof SubscriptionExpiredSchema | typeof SubscriptionRevokedSchema;

/**
 * The users service's side of the plan level (consumer `users--plan-levels`, read by consume-quota), its
 * events handed to the consumer as the bus would, on the service's own database, with the service's clock
 * set by the test. The cross-service flow is services/platform/src/plan-level-quota.e2e.spec.ts.
 */
describe('Plan levels from subscription events', () => {
  let t: UsersTestService;
  let botId: string;
  let member = 7_400_000;

  const deliver = async (schema: Schema, message: Record<string, unknown>) => {
    const event = { envelope: {}, subject: subjectOf(schema), schema, message: { botId, ...message } } as unknown as DecodedEvent;
    await t.users.dependencies.orm.em
      .fork()
      .transactional((em) => onSubscriptionChanged.handle!(event, { em, attempt: 1, afterCommit: () => undefined } as never));
  };
  const limitOf = async (telegramUserId: number, plan?: string) =>
    (await t.call(RPC.users.consumeQuota, { botId, telegramUserId: String(telegramUserId), ...(plan ? { plan } : {}) })).limit;
  const newMember = async () => {
    const telegramUserId = ++member;
    await t.see(botId, telegramUserId);
    return { telegramUserId, int64: numberToInt64(telegramUserId) };
  };

  beforeAll(async () => {
    t = await startUsersTestService('bp_plan_levels', T0);
    ({ botId } = await t.registerBot({ settings: { 'quota.daily.user': 3, 'quota.daily.plan.premium': 10, 'quota.daily.plan.gold': 20 } }));
  });

  afterAll(async () => {
    await t?.close();
  });

  afterEach(() => t.clock.set(T0));

  it('takes the running period level until its end, then the role limit again', async () => {
    const { telegramUserId, int64 } = await newMember();
    expect(await limitOf(telegramUserId)).toBe(3);
    await deliver(SubscriptionStartedSchema, { telegramUserId: int64, planId: randomUUID(), quotaLevel: 'premium', startedAt: at(0), endsAt: at(30) });
    expect(await limitOf(telegramUserId)).toBe(10);
    await deliver(SubscriptionExtendedSchema, { telegramUserId: int64, planId: randomUUID(), quotaLevel: 'gold', days: 30, extendedAt: at(1), endsAt: at(60) });
    expect(await limitOf(telegramUserId)).toBe(20);
    // Past the end, even before the expiry arrives.
    t.clock.set(new Date(T0.getTime() + 60 * DAY));
    expect(await limitOf(telegramUserId)).toBe(3);
  });

  it('keeps a plan named in the request over the member level', async () => {
    const { telegramUserId, int64 } = await newMember();
    await deliver(SubscriptionStartedSchema, { telegramUserId: int64, planId: randomUUID(), quotaLevel: 'premium', startedAt: at(0), endsAt: at(30) });
    expect(await limitOf(telegramUserId, 'gold')).toBe(20);
  });

  it('gives a plan without a level the role limit', async () => {
    const { telegramUserId, int64 } = await newMember();
    await deliver(SubscriptionStartedSchema, { telegramUserId: int64, planId: randomUUID(), startedAt: at(0), endsAt: at(30) });
    expect(await limitOf(telegramUserId)).toBe(3);
  });

  it('never lets an older event arriving late undo a newer one', async () => {
    const { telegramUserId, int64 } = await newMember();
    await deliver(SubscriptionRevokedSchema, { telegramUserId: int64, reason: 'refund', revokedBy: 'payments', revokedAt: at(2) });
    await deliver(SubscriptionStartedSchema, { telegramUserId: int64, planId: randomUUID(), quotaLevel: 'premium', startedAt: at(0), endsAt: at(30) });
    expect(await limitOf(telegramUserId)).toBe(3);

    const second = await newMember();
    await deliver(SubscriptionStartedSchema, { telegramUserId: second.int64, planId: randomUUID(), quotaLevel: 'premium', startedAt: at(0), endsAt: at(30) });
    // The expiry of an earlier period, delivered after the start of this one.
    await deliver(SubscriptionExpiredSchema, { telegramUserId: second.int64, planId: randomUUID(), endedAt: at(-1) });
    expect(await limitOf(second.telegramUserId)).toBe(10);
    await deliver(SubscriptionExpiredSchema, { telegramUserId: second.int64, planId: randomUUID(), endedAt: at(30) });
    t.clock.set(new Date(T0.getTime() + 10 * DAY));
    expect(await limitOf(second.telegramUserId)).toBe(3);
  });
});
