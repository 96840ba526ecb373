import type { RpcClient } from '@botplatform/bus';
import { RPC, type RegisterBotReplyJson, type RpcMethod, type RpcRequestJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startPlatform, type RunningPlatform } from '../platform.js';
import { platformWirings, type PlatformWiring } from '../testing/platform-wiring.js';

const OPERATOR_TOKEN = 'notifications-admin-api-operator-token-0123';
const modes = platformWirings('e2e_notifadmin');
const text = (message: Message) => message.text ?? '';

// biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON replies field by field
type Json = Record<string, any>;

/**
 * The notifications admin API over HTTP, as deployed: the users service checks the bots' API tokens
 * (over NATS with the platform's permissions in the distributed mode), the rules it sets decide what
 * the next event sends, and the gateway delivers to the Telegram sandbox.
 */
describe.each(Object.keys(modes))('The notifications admin API (%s)', (mode) => {
  let database: TestDatabase;
  let wiring: PlatformWiring;
  let platform: RunningPlatform;
  let sandbox: TelegramSandbox;
  const clients = new Map<string, RpcClient>();
  const bots: Record<'shop' | 'quiz', { sandbox: SandboxBot; botId: string; apiToken: string }> = {} as never;

  const call = <Method extends RpcMethod>(method: Method, request: RpcRequestJson<Method>) => {
    const caller = wiring.callerOf(method.subject);
    const key = caller.kind === 'nats' ? (caller.credentials?.user ?? '') : 'in-process';
    if (!clients.has(key)) clients.set(key, createRpcClient(caller));
    return clients.get(key)!.call(method, request);
  };
  const http = async (service: 'users' | 'notifications' | 'subscriptions', method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${platform.services.get(service)!.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const raw = await response.text();
    return { status: response.status, body: (raw ? JSON.parse(raw) : undefined) as Json };
  };
  const api = (method: string, path: string, token: string, body?: unknown) => http('notifications', method, `/admin/bots/${path}`, token, body);
  const sql = <T extends object>(query: string, params: unknown[] = []) =>
    runSql<T>(platform.services.get('notifications')!.dependencies.orm.em.fork(), query, params);
  /** Everything the admin API can write for a bot, to show a refused request wrote nothing. */
  const stateOf = async (botId: string) => ({
    switches: await sql('SELECT rule, enabled FROM notifications.notification_rule_switches WHERE bot_id = $1 ORDER BY rule', [botId]),
    templates: await sql('SELECT rule, language, source FROM notifications.notification_templates WHERE bot_id = $1 ORDER BY rule, language', [botId]),
    scheduled: await sql('SELECT scheduled_message_id, status FROM notifications.notification_scheduled_messages WHERE bot_id = $1 ORDER BY 1', [botId]),
  });
  const decisions = (telegramUserId: number) =>
    sql<{ rule: string; outcome: string }>(
      "SELECT rule, outcome FROM notifications.notification_rule_sends WHERE telegram_user_id = $1 AND rule <> 'welcome' ORDER BY decided_at",
      [telegramUserId],
    );

  /** A member of the quiz bot who sent /start, known to the notifications service once this resolves. */
  const member = async (firstName: string): Promise<{ user: SandboxUser; chat: SandboxChat }> => {
    const user = sandbox.createUser({ firstName, languageCode: 'en' });
    const chat = sandbox.chat(user, bots.quiz.sandbox);
    const greeting = chat.waitForMessage(() => true, { timeoutMs: 10_000 });
    chat.sendCommand('start');
    await greeting;
    await waitFor('the recipient', async () =>
      (await sql('SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [user.id])).length ? true : undefined,
    );
    return { user, chat };
  };
  let planId: string;
  /** A subscription granted as a payment would: the `subscription_started` rule's event. */
  const subscribe = (user: SandboxUser) =>
    call(RPC.subscriptions.grantSubscription, {
      grantId: `charge-${user.id}`,
      botId: bots.quiz.botId,
      telegramUserId: String(user.id),
      planId,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
    });

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_admin_api');
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
    for (const key of ['shop', 'quiz'] as const) {
      const sandboxBot = sandbox.createBot({ username: `${key}_n_bot`, firstName: key });
      const owner = sandbox.createUser({ firstName: `${key} owner`, languageCode: 'en' });
      const { status, body } = await http('users', 'POST', '/admin/bots', OPERATOR_TOKEN, {
        name: key,
        token: sandboxBot.token,
        ownerTelegramUserId: String(owner.id),
      });
      expect(status).toBe(201);
      const { botId, apiToken } = body as RegisterBotReplyJson;
      bots[key] = { sandbox: sandboxBot, botId: botId!, apiToken: apiToken! };
    }
    // The plan through the subscriptions admin API, the same kit and the same token.
    const plan = await http('subscriptions', 'POST', `/admin/bots/${bots.quiz.botId}/plans`, bots.quiz.apiToken, {
      texts: [{ language: 'en', name: 'Month' }],
      periodDays: 30,
      prices: [],
      active: true,
    });
    expect(plan.status).toBe(201);
    planId = plan.body.plan.planId;
    await waitFor('the gateway to host both bots', () => platform.gateway.host?.hosted().length === 2, { timeoutMs: 15_000 });
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await platform?.close();
    await wiring?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  it("refuses bot A's token on every route of bot B with 403 before reading or writing anything; 401 without a valid token", async () => {
    const quiz = bots.quiz.botId;
    expect((await api('PUT', `${quiz}/notification-templates/badge_awarded/en`, bots.quiz.apiToken, { source: 'Badge { $badge }' })).status).toBe(200);
    const scheduled = await api('POST', `${quiz}/scheduled-messages`, bots.quiz.apiToken, {
      text: 'Quiz night tomorrow',
      audience: { members: {} },
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(scheduled.status).toBe(201);
    const id = scheduled.body.message.scheduledMessageId;
    const before = await stateOf(quiz);

    const attempts: [string, string, unknown?][] = [
      ['GET', `${quiz}/notification-rules`],
      ['GET', `${quiz}/notification-rules/level_reached`],
      ['PUT', `${quiz}/notification-rules/level_reached`, { enabled: false }],
      ['PUT', `${quiz}/notification-templates/level_reached/en`, { source: 'Hijacked { $name }' }],
      ['DELETE', `${quiz}/notification-templates/badge_awarded/en`],
      ['GET', `${quiz}/scheduled-messages`],
      ['POST', `${quiz}/scheduled-messages`, { text: 'Spam', audience: { members: {} }, sendAt: new Date(Date.now() + 60_000).toISOString() }],
      ['DELETE', `${quiz}/scheduled-messages/${id}`],
    ];
    for (const [method, path, body] of attempts) {
      const refused = await api(method, path, bots.shop.apiToken, body);
      expect({ method, path, status: refused.status, body: refused.body }).toEqual({
        method,
        path,
        status: 403,
        body: { code: 'NOTIFICATIONS.FORBIDDEN_TENANT', message: "a bot's API token may only reach its own bot" },
      });
    }
    for (const token of ['bp_forged_token', `${bots.quiz.apiToken.slice(0, -4)}AAAA`]) {
      const refused = await api('GET', `${quiz}/notification-rules`, token);
      expect([refused.status, refused.body.code]).toEqual([401, 'NOTIFICATIONS.UNAUTHENTICATED']);
    }
    const anonymous = await http('notifications', 'GET', `/admin/bots/${quiz}/notification-rules`);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'NOTIFICATIONS.UNAUTHENTICATED']);
    // Its own path does not reach B's scheduled message either.
    expect((await api('DELETE', `${bots.shop.botId}/scheduled-messages/${id}`, bots.shop.apiToken)).status).toBe(404);
    expect(await stateOf(quiz)).toEqual(before);
    expect(await stateOf(bots.shop.botId)).toEqual({ switches: [], templates: [], scheduled: [] });
  });

  it('lists every rule with its switch, its variables, the bot’s own templates and whether the platform default is used', async () => {
    const { status, body } = await api('GET', `${bots.shop.botId}/notification-rules`, bots.shop.apiToken);
    expect(status).toBe(200);
    expect(body.rules.map((rule: Json) => [rule.name, rule.category, rule.enabled, rule.switched])).toEqual([
      ['welcome', 'welcome', false, false],
      ['level_reached', 'achievements', true, false],
      ['badge_awarded', 'achievements', true, false],
      ['subscription_started', 'payments', true, false],
      ['subscription_expired', 'subscription', true, false],
      ['subscription_ending', 'subscription', false, false],
      ['trial_ending', 'subscription', false, false],
      ['renewal_failed', 'subscription', true, false],
      ['payment_completed', 'payments', false, false],
      ['payment_refunded', 'payments', false, false],
      ['receipt_approved', 'payments', false, false],
      ['receipt_rejected', 'payments', false, false],
    ]);
    const badge = (await api('GET', `${bots.quiz.botId}/notification-rules/badge_awarded`, bots.quiz.apiToken)).body.rule;
    expect(badge).toMatchObject({ name: 'badge_awarded', variables: ['name', 'badge'], templates: [{ language: 'en', source: 'Badge { $badge }' }] });
    expect(badge.platformDefaults).toEqual([
      { language: 'en', source: '🏅 { $name }, you earned the badge “{ $badge }”!', used: false },
      { language: 'ru', source: '🏅 { $name }, вы получили значок «{ $badge }»!', used: true },
    ]);
  });

  it('refuses a template that does not parse or uses an unknown variable with 400 and the problem, storing nothing', async () => {
    const path = `${bots.quiz.botId}/notification-templates/subscription_started/en`;
    const before = await stateOf(bots.quiz.botId);
    const unknown = await api('PUT', path, bots.quiz.apiToken, { source: 'Welcome aboard, { $nickname }!' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 'NOTIFICATIONS.INVALID_TEMPLATE',
      message: 'invalid template: unknown variable $nickname; this rule offers $name, $plan, $days, $ends_at, $trial',
      details: { fields: [{ field: 'source', problems: ['unknown variable $nickname; this rule offers $name, $plan, $days, $ends_at, $trial'] }] },
    });
    const broken = await api('PUT', path, bots.quiz.apiToken, { source: 'Hello { $name' });
    expect([broken.status, broken.body.code]).toEqual([400, 'NOTIFICATIONS.INVALID_TEMPLATE']);
    const unknownRule = await api('PUT', `${bots.quiz.botId}/notification-templates/birthday/en`, bots.quiz.apiToken, { source: 'Hi' });
    expect([unknownRule.status, unknownRule.body.code, Object.keys(unknownRule.body.fields)]).toEqual([400, 'VALIDATION.FAILED', ['rule']]);
    const notBoolean = await api('PUT', `${bots.quiz.botId}/notification-rules/welcome`, bots.quiz.apiToken, { enabled: 'yes' });
    expect([notBoolean.status, Object.keys(notBoolean.body.fields)]).toEqual([400, ['enabled']]);
    expect(await stateOf(bots.quiz.botId)).toEqual(before);
  });

  it('sends the next message of a rule with the template set over HTTP; reset goes back to the default; switched off sends nothing', async () => {
    const path = `${bots.quiz.botId}/notification-templates/subscription_started/en`;
    const set = await api('PUT', path, bots.quiz.apiToken, { source: '{ $name }, { $days } days are yours (set over HTTP)' });
    expect(set).toEqual({
      status: 200,
      body: { rule: 'subscription_started', language: 'en', source: '{ $name }, { $days } days are yours (set over HTTP)', replaced: false },
    });

    const ann = await member('Ann');
    await subscribe(ann.user);
    await ann.chat.waitForMessage((m) => text(m) === 'Ann, 30 days are yours (set over HTTP)', { timeoutMs: 15_000 });

    expect(await api('DELETE', path, bots.quiz.apiToken)).toEqual({ status: 200, body: { rule: 'subscription_started', language: 'en', removed: true } });
    const bob = await member('Bob');
    await subscribe(bob.user);
    await bob.chat.waitForMessage((m) => text(m).startsWith('Your subscription is active: 30 days, until '), { timeoutMs: 15_000 });

    const off = await api('PUT', `${bots.quiz.botId}/notification-rules/subscription_started`, bots.quiz.apiToken, { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.rule).toMatchObject({ name: 'subscription_started', enabled: false, switched: true });
    const cid = await member('Cid');
    await subscribe(cid.user);
    await waitFor('the decision', async () => ((await decisions(cid.user.id)).length ? true : undefined), { timeoutMs: 15_000 });
    expect(await decisions(cid.user.id)).toEqual([{ rule: 'subscription_started', outcome: 'rule_off' }]);
    // The subscriptions service's own confirmation aside, nothing from the rule reaches Cid.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      cid.chat
        .botMessages()
        .map(text)
        .filter((t) => t.includes('30 days')),
    ).toEqual([]);
    expect(await decisions(ann.user.id)).toEqual([{ rule: 'subscription_started', outcome: 'requested' }]);
  });

  it('schedules, lists and cancels a message; the same requestId schedules it once; a scheduled one is sent once', async () => {
    const dan = await member('Dan');
    const requestId = randomUUID();
    const request = { requestId, text: 'See you at 8', audience: { telegramUserId: String(dan.user.id) }, sendAt: new Date(Date.now() + 1_500).toISOString() };
    // The same request five times at once (a client retrying on a timeout): one message, scheduled once.
    const posts = await Promise.all([1, 2, 3, 4, 5].map(() => api('POST', `${bots.quiz.botId}/scheduled-messages`, bots.quiz.apiToken, request)));
    expect(posts.map((post) => post.status)).toEqual([201, 201, 201, 201, 201]);
    expect(posts.filter((post) => post.body.created).length).toBe(1);
    for (const post of posts) {
      expect(post.body.message).toMatchObject({ scheduledMessageId: requestId, status: 'scheduled', scheduledBy: expect.stringMatching(/^api:/) });
    }
    const again = await api('POST', `${bots.quiz.botId}/scheduled-messages`, bots.quiz.apiToken, request);
    expect(again.body.created).toBe(false);
    await dan.chat.waitForMessage((m) => text(m) === 'See you at 8', { timeoutMs: 15_000 });

    const later = await api('POST', `${bots.quiz.botId}/scheduled-messages`, bots.quiz.apiToken, {
      text: 'Never sent',
      audience: { telegramUserId: String(dan.user.id) },
      sendAt: new Date(Date.now() + 3_000).toISOString(),
    });
    const laterId = later.body.message.scheduledMessageId;
    const cancelled = await api('DELETE', `${bots.quiz.botId}/scheduled-messages/${laterId}`, bots.quiz.apiToken);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.message).toMatchObject({ scheduledMessageId: laterId, status: 'cancelled' });
    const twice = await api('DELETE', `${bots.quiz.botId}/scheduled-messages/${laterId}`, bots.quiz.apiToken);
    expect([twice.status, twice.body.code]).toEqual([409, 'NOTIFICATIONS.SCHEDULED_MESSAGE_CANCELLED']);
    const past = await api('POST', `${bots.quiz.botId}/scheduled-messages`, bots.quiz.apiToken, {
      text: 'Too late',
      audience: { members: {} },
      sendAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect([past.status, past.body.code]).toEqual([400, 'NOTIFICATIONS.INVALID_SCHEDULE']);

    await waitFor('the first one sent', async () => {
      const list = (await api('GET', `${bots.quiz.botId}/scheduled-messages?status=sent`, bots.quiz.apiToken)).body.messages as Json[];
      return list.some((m) => m.scheduledMessageId === requestId) ? true : undefined;
    });
    const all = (await api('GET', `${bots.quiz.botId}/scheduled-messages`, bots.quiz.apiToken)).body.messages as Json[];
    expect(all.map((m) => [m.text, m.status])).toEqual(
      expect.arrayContaining([
        ['See you at 8', 'sent'],
        ['Never sent', 'cancelled'],
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(
      dan.chat
        .botMessages()
        .map(text)
        .filter((t) => t === 'See you at 8' || t === 'Never sent'),
    ).toEqual(['See you at 8']);
  });
});
