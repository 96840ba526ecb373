import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { TelegramSandbox } from '@botplatform/telegram-sandbox';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUsersService } from '../users.service.js';
import { randomTestBotToken } from './testing/register-test-bot.js';
import { telegramTokenCheck } from './telegram-token-check.js';

const OPERATOR = 'operator-token-for-the-getme-test';

/**
 * Registration and rotation ask the Bot API (here the Telegram sandbox) with getMe before anything is
 * stored: a token Telegram does not know is refused with USERS.TELEGRAM_TOKEN_REJECTED, a Bot API that
 * does not answer with USERS.TELEGRAM_UNREACHABLE, and neither leaves an event or a row behind.
 */
describe('Registering a bot checks its token with Telegram', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let users: RunningService;
  let rpc: RpcClient;

  const http = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${users.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON replies field by field
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error as RpcCallError,
    );
  /** Every event of the service and every registered bot, so a refusal is seen to write nothing. */
  const stored = async () => {
    const em = users.dependencies.orm.em.fork();
    const [events] = await runSql<{ n: number }>(em, 'SELECT count(*)::integer AS n FROM users.event_store_events');
    const [bots] = await runSql<{ n: number }>(em, 'SELECT count(*)::integer AS n FROM users.bots');
    return { events: events.n, bots: bots.n };
  };
  const botRow = async (telegramBotId: number) =>
    runSql(users.dependencies.orm.em.fork(), 'SELECT bot_id FROM users.bots WHERE telegram_bot_id = $1', [String(telegramBotId)]);

  beforeAll(async () => {
    await sandbox.start();
    database = await createTestDatabase('bp_bot_getme');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    const definition = createUsersService({ tokenKeys: `k1:${randomBytes(32).toString('base64')}`, operatorToken: OPERATOR, telegramApiRoot: sandbox.apiRoot });
    users = await startService(definition, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    rpc = createRpcClient({ kind: 'in-process', broker });
  });

  afterAll(async () => {
    await rpc?.close();
    await users?.close();
    await bus?.close();
    await sandbox.stop().catch(() => undefined);
    await database?.drop();
  });

  it('registers a bot whose token the Bot API knows, over HTTP and request/reply', async () => {
    const shop = sandbox.createBot({ username: 'getme_shop_bot', firstName: 'Shop' });
    const created = await http('POST', '/admin/bots', { name: 'Shop', token: shop.token, ownerTelegramUserId: '501' });
    expect(created).toMatchObject({ status: 201, body: { botId: expect.any(String), apiToken: expect.any(String) } });
    const quiz = sandbox.createBot({ username: 'getme_quiz_bot', firstName: 'Quiz' });
    const reply = await rpc.call(RPC.users.registerBot, { name: 'Quiz', token: quiz.token, ownerTelegramUserId: '501' });
    expect(await botRow(quiz.id)).toEqual([{ bot_id: reply.botId }]);
  });

  it('refuses a made-up token with USERS.TELEGRAM_TOKEN_REJECTED (422 over HTTP) and stores nothing', async () => {
    const before = await stored();
    const madeUp = randomTestBotToken();
    const refused = await http('POST', '/admin/bots', { name: 'Ghost', token: madeUp, ownerTelegramUserId: '502' });
    expect(refused).toEqual({ status: 422, body: { code: 'USERS.TELEGRAM_TOKEN_REJECTED', message: expect.stringContaining('401') } });
    expect(JSON.stringify(refused.body)).not.toContain(madeUp.split(':')[1]);
    const overRpc = await failure(rpc.call(RPC.users.registerBot, { name: 'Ghost', token: randomTestBotToken(), ownerTelegramUserId: '502' }));
    expect(overRpc.code).toBe('USERS.TELEGRAM_TOKEN_REJECTED');
    expect(await stored()).toEqual(before);
    expect(await botRow(Number(madeUp.split(':')[0]))).toEqual([]);
  });

  it('refuses a rotation to a token Telegram does not know, and keeps the old one', async () => {
    const bot = sandbox.createBot({ username: 'getme_rotate_bot' });
    const { botId } = await rpc.call(RPC.users.registerBot, { name: 'Rotate', token: bot.token, ownerTelegramUserId: '503' });
    const before = await stored();
    // The same Telegram bot's id with a secret BotFather never gave: only Telegram can tell.
    const wrongSecret = `${bot.id}:${randomBytes(27).toString('base64url')}`;
    expect(await http('POST', `/admin/bots/${botId}/rotate-token`, { token: wrongSecret })).toMatchObject({
      status: 422,
      body: { code: 'USERS.TELEGRAM_TOKEN_REJECTED' },
    });
    expect((await failure(rpc.call(RPC.users.rotateBotToken, { botId, requestedBy: 'operator', token: wrongSecret }))).code).toBe(
      'USERS.TELEGRAM_TOKEN_REJECTED',
    );
    expect(await stored()).toEqual(before);
    const { bots } = await rpc.call(RPC.users.getBotCredentials, { botId });
    expect(bots).toEqual([expect.objectContaining({ token: bot.token, tokenVersion: 1 })]);
  });

  it('answers USERS.TELEGRAM_UNREACHABLE (503) while the Bot API is down, stores nothing, and registers once it is back', async () => {
    const late = sandbox.createBot({ username: 'getme_late_bot' });
    const port = sandbox.port;
    await sandbox.stop();
    const before = await stored();
    const refused = await http('POST', '/admin/bots', { name: 'Late', token: late.token, ownerTelegramUserId: '504' });
    expect(refused).toMatchObject({ status: 503, body: { code: 'USERS.TELEGRAM_UNREACHABLE' } });
    expect(JSON.stringify(refused.body)).not.toContain(late.token.split(':')[1]);
    expect((await failure(rpc.call(RPC.users.registerBot, { name: 'Late', token: late.token, ownerTelegramUserId: '504' }))).code).toBe(
      'USERS.TELEGRAM_UNREACHABLE',
    );
    expect(await stored()).toEqual(before);
    expect(await botRow(late.id)).toEqual([]);

    // Retryable: the same request succeeds once Telegram answers again.
    await sandbox.start({ port });
    expect((await http('POST', '/admin/bots', { name: 'Late', token: late.token, ownerTelegramUserId: '504' })).status).toBe(201);
  });
});

/** What only a misbehaving Bot API can show: answers the sandbox never gives. */
describe('telegramTokenCheck against a Bot API that answers oddly', () => {
  let server: Server;
  let root: string;
  /** The answer of the next getMe: a status and a body, or null for none at all. */
  let next: { status: number; body: string } | null;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      if (next) response.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const outcomeOf = (answer: typeof next, timeoutMs = 2_000) => {
    next = answer;
    return telegramTokenCheck(root, timeoutMs)('123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 123456789).then(
      () => 'accepted',
      (error: { code?: string }) => error.code,
    );
  };
  const getMe = (id: number) => JSON.stringify({ ok: true, result: { id, is_bot: true, first_name: 'Bot', username: 'some_bot' } });

  it('accepts the bot the token names, and rejects a getMe that names another bot', async () => {
    expect(await outcomeOf({ status: 200, body: getMe(123456789) })).toBe('accepted');
    expect(await outcomeOf({ status: 200, body: getMe(987654321) })).toBe('USERS.TELEGRAM_TOKEN_REJECTED');
    expect(await outcomeOf({ status: 404, body: '{"ok":false,"error_code":404,"description":"Not Found"}' })).toBe('USERS.TELEGRAM_TOKEN_REJECTED');
  });

  it('calls a Bot API failure, a throttle, a non-JSON answer and silence unreachable', async () => {
    expect(await outcomeOf({ status: 502, body: 'Bad Gateway' })).toBe('USERS.TELEGRAM_UNREACHABLE');
    expect(await outcomeOf({ status: 429, body: '{"ok":false,"error_code":429}' })).toBe('USERS.TELEGRAM_UNREACHABLE');
    expect(await outcomeOf({ status: 200, body: '<html>' })).toBe('USERS.TELEGRAM_UNREACHABLE');
    expect(await outcomeOf(null, 300)).toBe('USERS.TELEGRAM_UNREACHABLE');
  });
});
