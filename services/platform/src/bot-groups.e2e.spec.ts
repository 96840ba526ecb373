import type { RpcClient } from '@botplatform/bus';
import { BotAddedToGroupSchema, RPC, subjectOf, timestampFromDate, type PlanDefinitionJson, type RpcMethod, type RpcRequestJson } from '@botplatform/contracts';
import { create } from '@bufbuild/protobuf';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { onBotGroupChanged, subscriptionsService } from '@botplatform/subscriptions';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { INSECURE_DEVELOPMENT_TOKEN_KEYS, createUsersService, randomTestBotToken } from '@botplatform/users';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { platformWirings, type PlatformWiring } from './testing/platform-wiring.js';

const OPERATOR = 'operator-token-for-the-bot-groups-test';
const modes = platformWirings('bp_groups');

const plan = (extra: Partial<PlanDefinitionJson>): PlanDefinitionJson => ({
  texts: [{ language: 'en', name: 'All trainers', description: '' }],
  periodDays: 30,
  prices: [{ currency: 'XTR', amount: '500' }],
  quotaLevel: 'premium',
  active: true,
  ...extra,
});

/**
 * Bot groups across services: the users service groups an owner's bots, the subscriptions service follows
 * its events, and a group-shared plan bought in one bot of the group gives access (and credits) in the others.
 */
describe.each(Object.keys(modes))('Bot groups across users and subscriptions (%s)', (mode) => {
  let database: TestDatabase;
  let wiring: PlatformWiring;
  let users: RunningService;
  let subscriptions: RunningService;
  const clients = new Map<string, RpcClient>();
  /** Each request as the broker user the platform lets make it (embedded: the one in-process broker). */
  const call = <Method extends RpcMethod>(method: Method, request: RpcRequestJson<Method>) => {
    const caller = wiring.callerOf(method.subject);
    const key = caller.kind === 'nats' ? (caller.credentials?.user ?? '') : 'in-process';
    if (!clients.has(key)) clients.set(key, createRpcClient(caller));
    return clients.get(key)!.call(method, request);
  };
  let member = 9_700_000;

  const http = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${users.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON replies field by field
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const registerBot = async (name: string, ownerTelegramUserId: string) =>
    (await http('POST', '/admin/bots', { name, token: randomTestBotToken(), ownerTelegramUserId })).body.botId as string;
  const groupOf = (botId: string) =>
    runSql<{ group_id: string | null }>(subscriptions.dependencies.orm.em.fork(), 'SELECT group_id FROM subscriptions.bot_groups WHERE bot_id = $1', [botId]);
  const followed = (botId: string, groupId: string | null) =>
    waitFor(`subscriptions to see bot ${botId} in group ${groupId}`, async () => {
      const rows = await groupOf(botId);
      return (rows[0]?.group_id ?? null) === groupId && (groupId !== null || rows.length > 0);
    });
  const access = (botId: string, telegramUserId: string) => call(RPC.subscriptions.access, { botId, telegramUserId });

  /** An owner's two bots A and B in one group, and a bot C of another owner; a group-shared month and credit pack in A. */
  async function setUp() {
    const owner = String(++member);
    const a = await registerBot('SPIN', owner);
    const b = await registerBot('Quiz', owner);
    const c = await registerBot('Stranger', String(++member));
    const groupId = (await http('POST', '/admin/groups', { ownerTelegramUserId: owner, name: 'Trainers' })).body.groupId as string;
    expect((await http('POST', `/admin/groups/${groupId}/bots`, { botId: a })).status).toBe(200);
    expect((await http('POST', `/admin/groups/${groupId}/bots`, { botId: b })).status).toBe(200);
    expect(await http('POST', `/admin/groups/${groupId}/bots`, { botId: c })).toMatchObject({ status: 400, body: { code: 'USERS.GROUP_OWNER_MISMATCH' } });
    await followed(a, groupId);
    await followed(b, groupId);
    const month = randomUUID();
    const pack = randomUUID();
    const ownMonth = randomUUID();
    await call(RPC.subscriptions.createPlan, { planId: month, botId: a, plan: plan({ groupShared: true }) });
    await call(RPC.subscriptions.createPlan, { planId: pack, botId: a, plan: plan({ periodDays: undefined, credits: 10, groupShared: true }) });
    await call(RPC.subscriptions.createPlan, { planId: ownMonth, botId: a, plan: plan({}) });
    return { a, b, c, groupId, plans: { month, pack, ownMonth } };
  }
  const buy = (botId: string, telegramUserId: string, planId: string) =>
    call(RPC.subscriptions.grantSubscription, {
      grantId: randomUUID(),
      botId,
      telegramUserId,
      planId,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
    });

  beforeAll(async () => {
    database = await createTestDatabase('bp_bot_groups_platform');
    wiring = await modes[mode]();
    const infrastructure = (service: string) => ({
      databaseUrl: database.url,
      bus: typeof wiring.bus === 'function' ? wiring.bus(service) : wiring.bus,
      rpc: typeof wiring.rpc === 'function' ? wiring.rpc(service) : wiring.rpc,
      httpPort: 0,
      logger: false as const,
    });
    users = await startService(createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS, operatorToken: OPERATOR }), infrastructure('users'));
    subscriptions = await startService(subscriptionsService, infrastructure('subscriptions'));
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    clients.clear();
    await subscriptions?.close();
    await users?.close();
    await wiring?.close();
    await database?.drop();
  });

  it('gives access in bot B with the group plan bought in bot A, not in a bot of another owner, and stops when B leaves', async () => {
    const { a, b, c, groupId, plans } = await setUp();
    const ann = String(++member);
    await buy(a, ann, plans.month);

    expect(await access(a, ann)).toMatchObject({ hasAccess: true, reason: 'ACCESS_REASON_PLAN', planId: plans.month });
    const inB = await access(b, ann);
    expect(inB).toMatchObject({ hasAccess: true, reason: 'ACCESS_REASON_PLAN', planId: plans.month, quotaLevel: 'premium', viaBotId: a });
    expect(await access(c, ann)).toEqual({ reason: 'ACCESS_REASON_NONE' });

    expect((await http('DELETE', `/admin/groups/${groupId}/bots/${b}`)).status).toBe(200);
    await followed(b, null);
    expect(await access(b, ann)).toEqual({ reason: 'ACCESS_REASON_NONE' });
    expect(await access(a, ann)).toMatchObject({ hasAccess: true });
  });

  it("gives the member the group plan's quota level in bot B too, until B leaves the group", async () => {
    const { a, b, groupId, plans } = await setUp();
    for (const botId of [a, b]) {
      for (const [key, value] of [
        ['quota.daily.user', 3],
        ['quota.daily.plan.premium', 50],
      ] as const) {
        expect((await http('PUT', `/admin/bots/${botId}/settings`, { key, value, type: 'int' })).status).toBe(200);
      }
    }
    const eve = String(++member);
    for (const botId of [a, b]) await call(RPC.users.registerUser, { botId, telegramUserId: eve, firstName: 'Eve', languageCode: 'en' });
    // The limit a use meets: the reply's, or the refusal's once the day's uses are over it.
    const limitIn = (botId: string) =>
      call(RPC.users.consumeQuota, { botId, telegramUserId: eve }).then(
        (reply) => reply.limit,
        (error: { code?: string; details?: { limit?: number } }) => (error.code === 'USERS.QUOTA_EXCEEDED' ? error.details?.limit : undefined),
      );
    expect(await limitIn(b)).toBe(3);
    await buy(a, eve, plans.month);
    await waitFor('the plan level to reach bot B through the group', async () => (await limitIn(b)) === 50);
    expect(await limitIn(a)).toBe(50);
    await http('DELETE', `/admin/groups/${groupId}/bots/${b}`);
    await waitFor('bot B to fall back to the free quota', async () => (await limitIn(b)) === 3);
  });

  it("does not share a plan that is the bot's own", async () => {
    const { a, b, plans } = await setUp();
    const bob = String(++member);
    await buy(a, bob, plans.ownMonth);
    expect(await access(a, bob)).toMatchObject({ hasAccess: true, planId: plans.ownMonth });
    expect(await access(b, bob)).toEqual({ reason: 'ACCESS_REASON_NONE' });
  });

  it("consumes the group's credits from bot B: 30 racing consumes of 10 credits, exactly 10 succeed", async () => {
    const { a, b, plans } = await setUp();
    const cid = String(++member);
    await buy(a, cid, plans.pack);
    expect(await access(b, cid)).toMatchObject({ hasAccess: true, reason: 'ACCESS_REASON_CREDITS', credits: 10, viaBotId: a });
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(RPC.subscriptions.consume, { requestId: `r-${i}`, botId: i % 2 ? a : b, telegramUserId: cid }).then(
          (reply) => (reply.consumed ? 'consumed' : 'not'),
          (error: { code?: string }) => error.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o !== 'consumed' && o !== 'SUBSCRIPTIONS.NO_CREDITS')).toEqual([]);
    expect(outcomes.filter((o) => o === 'consumed')).toHaveLength(10);
    expect(await access(a, cid)).toEqual({ reason: 'ACCESS_REASON_NONE' });
    // The same request id again consumes nothing.
    await expect(call(RPC.subscriptions.consume, { requestId: 'r-0', botId: b, telegramUserId: cid })).rejects.toMatchObject({
      code: 'SUBSCRIPTIONS.NO_CREDITS',
    });
  });

  it('keeps a bot out of the group when an older "added" event is delivered again after its removal', async () => {
    const { a, b, groupId, plans } = await setUp();
    const dan = String(++member);
    await buy(a, dan, plans.month);
    await http('DELETE', `/admin/groups/${groupId}/bots/${b}`);
    await followed(b, null);
    const em = subscriptions.dependencies.orm.em.fork();
    await em.transactional((tx) =>
      onBotGroupChanged.handle!(
        {
          envelope: {
            eventId: randomUUID(),
            type: 'users.bot_group.bot_added',
            schemaVersion: 1,
            botId: b,
            streamId: `bot-group-${groupId}`,
            streamPosition: 2n,
            correlationId: randomUUID(),
            occurredAt: new Date(0),
          } as never,
          subject: subjectOf(BotAddedToGroupSchema),
          schema: BotAddedToGroupSchema,
          message: create(BotAddedToGroupSchema, { groupId, botId: b, ownerTelegramUserId: 1n, addedAt: timestampFromDate(new Date(Date.now() - 60_000)) }),
        },
        { em: tx, attempt: 2, afterCommit: () => undefined } as never,
      ),
    );
    expect(await groupOf(b)).toEqual([{ group_id: null }]);
    expect(await access(b, dan)).toEqual({ reason: 'ACCESS_REASON_NONE' });
  });
});
