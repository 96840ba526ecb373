import { RpcCallError, type RpcClient } from '@botplatform/bus';
import {
  RPC,
  rpcErrorDetailsOf,
  type RpcMethod,
  type RpcRequestJson,
  type ConsumeQuotaReplyJson,
  type FindMembersReplyJson,
  type RegisterBotReplyJson,
  type SendMessageRequestJson,
} from '@botplatform/contracts';
import { NotificationRecipient } from '@botplatform/notifications';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';

import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startPlatform, type RunningPlatform } from './platform.js';
import { platformWirings, type PlatformWiring } from './testing/platform-wiring.js';

const OPERATOR_TOKEN = 'platform-e2e-operator-token-0123456789';

const modes = platformWirings('e2e');

const text = (message: Message) => message.text ?? '';

/**
 * The scenarios end to end: the users service, notifications and the gateway hosting real grammY
 * bots against the Telegram sandbox, in both ways the platform runs.
 */
describe.each(Object.keys(modes))('The platform (%s)', (mode) => {
  let database: TestDatabase;
  let wiring: PlatformWiring;
  let platform: RunningPlatform;
  const clients = new Map<string, RpcClient>();
  let sandbox: TelegramSandbox;
  const bots: Record<'shop' | 'quiz', { sandbox: SandboxBot; botId: string; apiToken: string; owner: SandboxUser }> = {} as never;

  const call = <Method extends RpcMethod>(method: Method, request: RpcRequestJson<Method>) => {
    const caller = wiring.callerOf(method.subject);
    const key = caller.kind === 'nats' ? (caller.credentials?.user ?? '') : 'in-process';
    if (!clients.has(key)) clients.set(key, createRpcClient(caller));
    return clients.get(key)!.call(method, request);
  };
  const memberOf = async (botId: string, user: SandboxUser) => (await call(RPC.users.getMember, { botId, telegramUserId: String(user.id) })).member;
  const adminApi = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${platform.services.get('users')!.url}/admin/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  const recipients = (botId: string) =>
    platform.services
      .get('notifications')!
      .dependencies.orm.em.fork()
      .find(NotificationRecipient, { botId }, { orderBy: { telegramUserId: 'asc' } });
  /** Sends a command and returns the bot's answer to it. */
  const ask = async (chat: SandboxChat, command: string, payload?: string) => {
    const answer = chat.waitForMessage(() => true, { timeoutMs: 10_000 });
    chat.sendCommand(command, payload);
    return text(await answer);
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_platform');
    wiring = await modes[mode]();
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    platform = await startPlatform({
      databaseUrl: database.url,
      bus: wiring.bus,
      rpc: wiring.rpc,
      firstHttpPort: 0,
      logger: false,
      users: { operatorToken: OPERATOR_TOKEN },
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1 },
    });
    for (const [key, name] of [
      ['shop', 'Shop bot'],
      ['quiz', 'Quiz bot'],
    ] as const) {
      const sandboxBot = sandbox.createBot({ username: `${key}_bot`, firstName: name });
      const owner = sandbox.createUser({ firstName: `${name} owner`, languageCode: 'en' });
      // The operator registers bots over the admin API, the way a deployment does.
      const response = await adminApi('bots', OPERATOR_TOKEN, {
        method: 'POST',
        body: JSON.stringify({ name, token: sandboxBot.token, ownerTelegramUserId: String(owner.id) }),
      });
      expect(response.status).toBe(201);
      const { botId, apiToken } = (await response.json()) as RegisterBotReplyJson;
      bots[key] = { sandbox: sandboxBot, botId: botId!, apiToken: apiToken!, owner };
    }
    await waitFor('the gateway to host both bots', () => platform.gateway.host?.hosted().length === 2, { timeoutMs: 15_000 });
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await platform?.close();
    await wiring?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  it('starts every service with its migrations applied and a passing health check', async () => {
    // In start order: producers first, the gateway last (a service made by `npm run new:service` goes in between).
    const names = [...platform.services.keys()];
    expect(names.slice(0, 2)).toEqual(['users', 'notifications']);
    expect(names.at(-1)).toBe('gateway');
    for (const service of platform.services.values()) {
      const response = await fetch(`${service.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', checks: { database: 'up' } });
    }
  });

  it('hosts two bots in one gateway: a person who starts both has one identity and a membership in each', async () => {
    const ann = sandbox.createUser({ firstName: 'Ann', username: 'ann', languageCode: 'en' });
    expect(await ask(sandbox.chat(ann, bots.shop.sandbox), 'start', 'campaign_7')).toContain('Shop bot');
    expect(await ask(sandbox.chat(ann, bots.quiz.sandbox), 'start')).toContain('Quiz bot');

    const inShop = await memberOf(bots.shop.botId, ann);
    const inQuiz = await memberOf(bots.quiz.botId, ann);
    expect(inShop).toMatchObject({ firstName: 'Ann', role: 'MEMBER_ROLE_USER', status: 'MEMBER_STATUS_ACTIVE', startPayload: 'campaign_7' });
    expect(inQuiz?.startPayload).toBeUndefined();
    expect(inQuiz?.userId).toBe(inShop?.userId);
    // Notifications learnt of both memberships through the bus.
    await waitFor(
      'Ann as a recipient of both bots',
      async () =>
        (await recipients(bots.shop.botId)).some((r) => r.telegramUserId === String(ann.id)) &&
        (await recipients(bots.quiz.botId)).some((r) => r.telegramUserId === String(ann.id)),
    );
  });

  it("answers in the user's Telegram language", async () => {
    const ivan = sandbox.createUser({ firstName: 'Иван', languageCode: 'ru' });
    expect(await ask(sandbox.chat(ivan, bots.shop.sandbox), 'start')).toMatch(/Привет|Здравствуйте/);
  });

  it("lets bot A's owner block a user in A only: refused in A, still served in B", async () => {
    const shopOwnerChat = sandbox.chat(bots.shop.owner, bots.shop.sandbox);
    await ask(shopOwnerChat, 'start');
    expect((await memberOf(bots.shop.botId, bots.shop.owner))?.role).toBe('MEMBER_ROLE_OWNER');
    const bob = sandbox.createUser({ firstName: 'Bob', languageCode: 'en' });
    const bobInShop = sandbox.chat(bob, bots.shop.sandbox);
    const bobInQuiz = sandbox.chat(bob, bots.quiz.sandbox);
    await ask(bobInShop, 'start');
    await ask(bobInQuiz, 'start');

    const blocked = await call(RPC.users.blockMember, {
      botId: bots.shop.botId,
      admin: `telegram:${bots.shop.owner.id}`,
      targetTelegramUserId: String(bob.id),
      reason: 'spam',
    });
    expect(blocked).toMatchObject({ changed: true, member: { status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'spam' } });

    // The gateway's member cache learns of the block from the users service's event.
    await waitFor('Bob to be refused in the shop bot', async () => (await ask(bobInShop, 'profile')).includes('blocked'), {
      timeoutMs: 10_000,
    });
    expect(await ask(bobInQuiz, 'profile')).toContain('Bob');
    expect((await memberOf(bots.quiz.botId, bob))?.status).toBe('MEMBER_STATUS_ACTIVE');
  });

  it('refuses an admin action by someone who is not an admin of that bot', async () => {
    const attempt = call(RPC.users.blockMember, {
      botId: bots.quiz.botId,
      admin: `telegram:${bots.shop.owner.id}`,
      targetTelegramUserId: String(bots.quiz.owner.id),
      reason: 'hostile takeover',
    });
    await expect(attempt).rejects.toBeInstanceOf(RpcCallError);
    expect(['USERS.NOT_AN_ADMIN', 'USERS.NOT_A_MEMBER']).toContain(((await attempt.catch((e: unknown) => e)) as RpcCallError).code);
  });

  it("keeps an admin API token to its own bot: A's token cannot see B's users", async () => {
    const ownMembers = await adminApi(`bots/${bots.quiz.botId}/members?query=Ann`, bots.quiz.apiToken);
    expect(ownMembers.status).toBe(200);
    expect(((await ownMembers.json()) as FindMembersReplyJson).members!.map((m) => m.firstName)).toContain('Ann');

    const otherTenant = await adminApi(`bots/${bots.quiz.botId}/members?query=Ann`, bots.shop.apiToken);
    expect(otherTenant.status).toBe(403);
    const body = (await otherTenant.json()) as { code: string; members?: unknown };
    expect(body.code).toBe('USERS.FORBIDDEN_TENANT');
    expect(body.members).toBeUndefined();
    expect((await adminApi(`bots/${bots.quiz.botId}/audit`, bots.shop.apiToken)).status).toBe(403);
    expect((await adminApi(`bots/${bots.quiz.botId}/members?query=Ann`, 'bp_forged_token')).status).toBe(401);
  });

  it("keeps a bot's API token to its own plans in the subscriptions admin API: A's token cannot see or change B's", async () => {
    const plansApi = (botId: string, token: string, path = '', init: RequestInit = {}) =>
      fetch(`${platform.services.get('subscriptions')!.url}/admin/bots/${botId}/plans${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      });
    const plan = { texts: [{ language: 'en', name: 'Month' }], periodDays: 30, prices: [{ currency: 'XTR', amount: '250' }], active: true };
    const created = await plansApi(bots.quiz.botId, bots.quiz.apiToken, '', { method: 'POST', body: JSON.stringify(plan) });
    expect(created.status).toBe(201);
    const { plan: quizPlan } = (await created.json()) as { plan: { planId: string; botId: string } };
    expect(quizPlan.botId).toBe(bots.quiz.botId);
    const own = await plansApi(bots.quiz.botId, bots.quiz.apiToken);
    expect(((await own.json()) as { plans: { planId: string }[] }).plans.map((p) => p.planId)).toContain(quizPlan.planId);

    // The shop bot's token: refused on the quiz bot's paths, whatever the method, before anything is read or written.
    for (const [path, init] of [
      ['', {}],
      [`/${quizPlan.planId}`, {}],
      ['', { method: 'POST', body: JSON.stringify(plan) }],
      [`/${quizPlan.planId}`, { method: 'PUT', body: JSON.stringify({ ...plan, periodDays: 365 }) }],
      [`/${quizPlan.planId}/archive`, { method: 'POST' }],
    ] as const) {
      const refused = await plansApi(bots.quiz.botId, bots.shop.apiToken, path, init);
      expect({ path, status: refused.status, code: ((await refused.json()) as { code: string }).code }).toEqual({
        path,
        status: 403,
        code: 'SUBSCRIPTIONS.FORBIDDEN_TENANT',
      });
    }
    // On its own path it does not find the quiz bot's plan either.
    expect((await plansApi(bots.shop.botId, bots.shop.apiToken, `/${quizPlan.planId}`)).status).toBe(404);
    expect((await plansApi(bots.shop.botId, bots.shop.apiToken, `/${quizPlan.planId}/archive`, { method: 'POST' })).status).toBe(404);
    expect((await plansApi(bots.quiz.botId, 'bp_forged_token')).status).toBe(401);
    const unchanged = (await (await plansApi(bots.quiz.botId, bots.quiz.apiToken, `/${quizPlan.planId}`)).json()) as {
      plan: { archived?: boolean; definition: { periodDays: number } };
    };
    expect(unchanged.plan).toMatchObject({ definition: { periodDays: 30 } });
    expect(unchanged.plan.archived).toBeUndefined();

    const bad = await plansApi(bots.quiz.botId, bots.quiz.apiToken, '', {
      method: 'POST',
      body: JSON.stringify({ ...plan, prices: [{ currency: 'USD', amount: '4.99' }] }),
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(((await bad.json()) as { fields: Record<string, string[]> }).fields)).toEqual(['prices.0.amount']);
  });

  it("routes the subscriptions service's screens through the gateway: /plans, a plan's card, Buy, /subscription", async () => {
    const plan = {
      texts: [
        { language: 'en', name: 'Month', description: 'Premium for a month' },
        { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
      ],
      periodDays: 30,
      prices: [
        { currency: 'EUR', amount: '499' },
        { currency: 'XTR', amount: '250' },
      ],
      active: true,
    };
    const created = await fetch(`${platform.services.get('subscriptions')!.url}/admin/bots/${bots.shop.botId}/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bots.shop.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(plan),
    });
    expect(created.status).toBe(201);
    const chat = sandbox.chat(sandbox.createUser({ firstName: 'Vera', languageCode: 'ru' }), bots.shop.sandbox);
    await ask(chat, 'start');
    expect(await ask(chat, 'help')).toContain('/plans');
    const menu = chat.waitForMessage((message) => message.text === 'Выберите тариф:', { timeoutMs: 10_000 });
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Месяц · ⭐ 250 / 4.99 EUR', { timeoutMs: 10_000 });
    const card = await chat.waitForEdit((message) => message.text?.startsWith('Месяц') === true, { timeoutMs: 10_000 });
    expect(text(card)).toBe('Месяц\nПремиум на месяц\n\nДоступ на 30 дней\nЦена: ⭐ 250 / 4.99 EUR');
    // Buy orders the plan from the payments service: a 30-day plan is a Stars subscription, sent as a message
    // with the invoice link's button (stars-subscription.e2e.spec.ts pays it; stars-purchase.e2e.spec.ts a one-off invoice).
    const offer = chat.waitForMessage((message) => message.reply_markup !== undefined, { timeoutMs: 10_000 });
    await chat.pressCallbackButton(card, 'Купить', { timeoutMs: 10_000 });
    expect((await offer).reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ text: 'Подписаться', url: expect.stringMatching(/^https:\/\/t\.me\/\$/) });
    expect(sandbox.apiCalls(bots.shop.sandbox, 'createInvoiceLink').at(-1)?.params).toMatchObject({
      title: 'Месяц',
      currency: 'XTR',
      subscription_period: '2592000',
    });
    expect(await ask(chat, 'subscription')).toBe('У вас нет подписки.');
  });

  it("routes the gamification service's screens through the gateway: /me and /top", async () => {
    const chat = sandbox.chat(sandbox.createUser({ firstName: 'Gleb', languageCode: 'en' }), bots.quiz.sandbox);
    await ask(chat, 'start');
    const help = await ask(chat, 'help');
    expect(help).toContain('/me');
    expect(help).toContain('/top');
    expect(await ask(chat, 'me')).toBe(
      [
        'Gleb, your progress in this bot',
        '⭐ Level 1 · 0 XP',
        'You are at the top level.',
        '🏅 No badges yet.',
        '🔥 Streak: 0 days (best: 0)',
        '🏆 Not on the leaderboard yet: earn some XP first.',
      ].join('\n'),
    );
    expect(await ask(chat, 'top')).toBe('No one has XP in this bot yet.');
  });

  it('serves a bot registered while the gateway runs within seconds, without a restart', async () => {
    const late = sandbox.createBot({ username: 'late_bot', firstName: 'Late bot' });
    const owner = sandbox.createUser({ firstName: 'Late owner' });
    await call(RPC.users.registerBot, {
      name: 'Late bot',
      token: late.token,
      ownerTelegramUserId: String(owner.id),
    });
    const started = Date.now();
    const chat = sandbox.chat(sandbox.createUser({ firstName: 'Carol', languageCode: 'en' }), late);
    const greeting = chat.waitForMessage(() => true, { timeoutMs: 10_000 });
    chat.sendCommand('start');
    expect(text(await greeting)).toContain('Late bot');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('turns a user blocking the bot in Telegram into the membership status, and unblocking back', async () => {
    const dan = sandbox.createUser({ firstName: 'Dan', languageCode: 'en' });
    const chat = sandbox.chat(dan, bots.quiz.sandbox);
    await ask(chat, 'start');
    chat.block();
    await waitFor('the bot block on the membership', async () => (await memberOf(bots.quiz.botId, dan))?.status === 'MEMBER_STATUS_BOT_BLOCKED_BY_USER');
    chat.unblock();
    await waitFor('the unblock on the membership', async () => (await memberOf(bots.quiz.botId, dan))?.status === 'MEMBER_STATUS_ACTIVE');
  });

  it('lets exactly the daily quota through when 20 requests race for it', async () => {
    const response = await adminApi(`bots/${bots.shop.botId}/settings`, bots.shop.apiToken, {
      method: 'PUT',
      body: JSON.stringify({ key: 'quota.daily.user', value: 5 }),
    });
    expect(response.status).toBe(200);
    const eve = sandbox.createUser({ firstName: 'Eve', languageCode: 'en' });
    await ask(sandbox.chat(eve, bots.shop.sandbox), 'start');

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => call(RPC.users.consumeQuota, { botId: bots.shop.botId, telegramUserId: String(eve.id) })),
    );
    const granted = results.filter((r): r is PromiseFulfilledResult<ConsumeQuotaReplyJson> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(granted.map((r) => r.value.used!).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(refused.map((r) => (r.reason as RpcCallError).code)).toEqual(Array(15).fill('USERS.QUOTA_EXCEEDED'));
    // The typed details cross NATS with the code: the caller learns the reset without reading the message.
    const details = rpcErrorDetailsOf(refused[0]!.reason as RpcCallError, 'USERS.QUOTA_EXCEEDED');
    expect({ used: details?.used, limit: details?.limit, resetsAtIsSet: details?.resetsAt !== undefined }).toEqual({ used: 5, limit: 5, resetsAtIsSet: true });
  });

  it('sends a message another service asked for through the gateway, once', async () => {
    const fay = sandbox.createUser({ firstName: 'Fay', languageCode: 'en' });
    const chat = sandbox.chat(fay, bots.quiz.sandbox);
    await ask(chat, 'start');
    const request: SendMessageRequestJson = {
      requestId: randomUUID(),
      botId: bots.quiz.botId,
      chatId: String(fay.id),
      text: 'Your quiz of the day is ready',
      purpose: 'e2e:reminder',
    };
    const first = await call(RPC.notifications.sendMessage, request);
    const again = await call(RPC.notifications.sendMessage, request);
    expect([first.accepted, again.accepted]).toEqual([true, false]);
    await chat.waitForMessage((m) => m.text === 'Your quiz of the day is ready', { timeoutMs: 10_000 });
    // Give a duplicate time to show up before checking there is none.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(chat.botMessages().filter((m) => m.text === 'Your quiz of the day is ready')).toHaveLength(1);
  });

  it('answers invalid input with typed field errors and writes nothing', async () => {
    // Counted in the table: readAll stops below the oldest transaction open anywhere on the server (ADR 0002).
    const usersEventCount = async () =>
      (
        await platform.services
          .get('users')!
          .dependencies.orm.em.fork()
          .getConnection()
          .execute<{ n: number }[]>('SELECT count(*)::integer AS n FROM users.event_store_events')
      )[0].n;
    const before = await usersEventCount();
    const attempt = call(RPC.users.registerUser, { botId: 'not-a-uuid', telegramUserId: '-5', firstName: '' });
    await expect(attempt).rejects.toBeInstanceOf(RpcCallError);
    const error = (await attempt.catch((e: unknown) => e)) as RpcCallError;
    expect(error.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['botId', 'firstName', 'telegramUserId']);
    const unknownBot = call(RPC.users.registerUser, {
      botId: randomUUID(),
      telegramUserId: '12345',
      firstName: 'Gil',
    });
    await expect(unknownBot).rejects.toMatchObject({ code: 'USERS.BOT_NOT_FOUND' });
    const after = await usersEventCount();
    expect(after).toBe(before);
  });
});
