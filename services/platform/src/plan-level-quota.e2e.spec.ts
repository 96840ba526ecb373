import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { Clock, subscriptionsService } from '@botplatform/subscriptions';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import { INSECURE_DEVELOPMENT_TOKEN_KEYS, createUsersService, registerTestBot } from '@botplatform/users';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';

const DAY = 86_400_000;

/** The wall clock, shifted while a test grants a period that should end in a few seconds. */
class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const PREMIUM_DAY: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Premium day', description: '' }],
  periodDays: 1,
  prices: [{ currency: 'XTR', amount: '20' }],
  quotaLevel: 'premium',
  active: true,
};

/**
 * Seed 000's free vs premium daily quota across two services: the subscriptions service grants, expires
 * and revokes premium; the users service's consumer `users--plan-levels` follows, and
 * `rpc.users.consume-quota` without a plan takes `quota.daily.plan.premium` while premium runs. Nobody
 * tells the users service anything by hand. Both services on one database, the in-process bus and broker.
 */
describe('The daily quota follows the member subscription', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let users: RunningService;
  let subscriptions: RunningService;
  let client: RpcClient;
  const clock = new ShiftedClock();
  let botId: string;
  let planId: string;
  let member = 9_300_000;

  const levelOf = async (telegramUserId: number) =>
    (
      await runSql<{ plan_level: string | null }>(
        users.dependencies.orm.em.fork(),
        'SELECT plan_level FROM users.member_plan_levels WHERE bot_id = $1 AND telegram_user_id = $2',
        [botId, telegramUserId],
      )
    )[0];
  const limitNow = async (telegramUserId: number) => (await client.call(RPC.users.consumeQuota, { botId, telegramUserId: String(telegramUserId) })).limit;
  const newMember = async () => {
    const telegramUserId = ++member;
    await client.call(RPC.users.registerUser, { botId, telegramUserId: String(telegramUserId), firstName: 'Member' });
    return telegramUserId;
  };
  /** Premium for a day, granted so that it ends `leadMs` from now. */
  const grantPremium = async (telegramUserId: number, leadMs: number) => {
    clock.offsetMs = -DAY + leadMs;
    try {
      const reply = await client.call(RPC.subscriptions.grantSubscription, {
        grantId: randomUUID(),
        botId,
        telegramUserId: String(telegramUserId),
        planId,
        source: 'SUBSCRIPTION_SOURCE_PAYMENT',
        grantedBy: 'payments',
      });
      return new Date(reply.subscription!.endsAt!);
    } finally {
      clock.offsetMs = 0;
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_plan_level_quota');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const rpc = { kind: 'in-process' as const, broker: new InProcessBroker() };
    users = await startService(createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS, operatorToken: 'operator-token-for-tests' }), {
      databaseUrl: database.url,
      bus,
      rpc,
      httpPort: 0,
      logger: false,
    });
    subscriptions = await startService(
      {
        ...subscriptionsService,
        module: (dependencies) => {
          const module = subscriptionsService.module(dependencies);
          return { ...module, providers: [...(module.providers ?? []), { provide: Clock, useValue: clock }] };
        },
      },
      { databaseUrl: database.url, bus, rpc, httpPort: 0, logger: false },
    );
    client = createRpcClient(rpc);
    ({ botId } = await registerTestBot(users.dependencies.store, users.dependencies.orm.em, {
      settings: { 'quota.daily.user': 3, 'quota.daily.plan.premium': 10 },
    }));
    planId = randomUUID();
    await client.call(RPC.subscriptions.createPlan, { planId, botId, plan: PREMIUM_DAY });
  });

  afterAll(async () => {
    await client?.close();
    await subscriptions?.close();
    await users?.close();
    await bus?.close();
    await database?.drop();
  });

  it('gives the premium limit when premium starts and the free one back at its end, once expired', async () => {
    const ann = await newMember();
    expect(await limitNow(ann)).toBe(3);

    const endsAt = await grantPremium(ann, 3_000);
    await waitFor('the users service to take in the premium start', async () => (await levelOf(ann))?.plan_level === 'premium');
    expect(await limitNow(ann)).toBe(10);

    await sleep(Math.max(0, endsAt.getTime() - Date.now()) + 50);
    // At the end the level no longer counts, even before the expiry reaches the users service.
    expect(await limitNow(ann)).toBe(3);
    // The subscriptions service's timer expires the period, and the users service clears the level.
    await waitFor('the expiry to reach the users service', async () => (await levelOf(ann))?.plan_level === null);
    const [expired] = await runSql<{ count: string }>(
      subscriptions.dependencies.orm.em.fork(),
      `SELECT count(*)::text AS count FROM subscriptions.event_store_events WHERE type = 'SubscriptionExpired' AND stream_id = $1`,
      [`subscription-${botId}-${ann}`],
    );
    expect(expired.count).toBe('1');
  });

  it('gives the free limit back at once when premium is revoked', async () => {
    const bob = await newMember();
    await grantPremium(bob, DAY);
    await waitFor('the users service to take in the premium start', async () => (await levelOf(bob))?.plan_level === 'premium');
    expect(await limitNow(bob)).toBe(10);

    await client.call(RPC.subscriptions.revokeSubscription, { botId, telegramUserId: String(bob), reason: 'refund', revokedBy: 'payments' });
    await waitFor('the revocation to reach the users service', async () => (await levelOf(bob))?.plan_level === null);
    expect(await limitNow(bob)).toBe(3);
  });

  it('keeps a plan the request names over the member level', async () => {
    const eve = await newMember();
    await grantPremium(eve, DAY);
    await waitFor('the premium start', async () => (await levelOf(eve))?.plan_level === 'premium');
    const reply = await client.call(RPC.users.consumeQuota, { botId, telegramUserId: String(eve), plan: 'basic' });
    // No quota.daily.plan.basic: the role's limit, not premium's.
    expect(reply.limit).toBe(3);
  });
});
