import { deleteNamespaceStreams } from '@botplatform/bus/testing';
import { InProcessBroker, JetStreamEventBus, RpcHandler, busMigrations, type RpcClient } from '@botplatform/bus';
import { RPC, type RecordBotBlockedReplyJson, type RecordBotBlockedRequestJson } from '@botplatform/contracts';
import { eventStoreMigrations, runSql } from '@botplatform/event-store';
import { BroadcastUseCases, createNotificationsService } from '@botplatform/notifications';
import { OutboundDelivery, TelegramThrottle, UsersClient, gatewayPublicEvents, outboundEntities, outboundMigrations } from '@botplatform/gateway';
import { createRpcClient, startService, type RpcTransport, type RunningService, type ServiceDefinition } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxChat } from '@botplatform/telegram-sandbox';
import { createTestDatabase, testServers, uniqueName, waitFor, type TestDatabase } from '@botplatform/testing';
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Api } from 'grammy';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * Telegram's figures times SCALE, on both sides: the sandbox refuses above SCALE × 30 messages a second
 * per bot (1 a second per chat, as Telegram), the gateway's throttle keeps to the same, and the broadcast
 * aims at SCALE × 25 (the default's share of the bot's 30). 5,000 members at Telegram's own pace would
 * take ~200 s; at SCALE = 5 the same proportions take ~40 s when the machine has a core to spare for the
 * test (one Node thread runs the sandbox, the gateway and notifications). On a busy machine the pipeline
 * itself is slower than the rate, hence the long timeouts; the limits hold either way.
 */
const SCALE = 5;
const BOT = 'b0b0b0b0-0000-4000-8000-00000000000b';
const ADMIN = 9_000_001;
const MEMBERS = 5_000;
const BLOCKERS = 40;

@Controller()
class UsersStandIn {
  @RpcHandler(RPC.users.recordBotBlocked)
  recordBotBlocked(@Payload() _request: RecordBotBlockedRequestJson): RecordBotBlockedReplyJson {
    return { changed: true };
  }
}

@Module({ controllers: [UsersStandIn] })
class StandInModule {}

/** A TCP path to PostgreSQL that can be cut, as a kill -9 cuts a process's connections for good. */
async function cuttableDatabasePath(databaseUrl: string): Promise<{ url: string; cut(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('Broadcasts: notifications → gateway → Telegram, the sandbox’s limits on', () => {
  let database: TestDatabase;
  let bus: JetStreamEventBus;
  let transport: RpcTransport;
  let sandbox: TelegramSandbox;
  let bot: SandboxBot;
  let notifications: RunningService;
  let gateway: RunningService;
  let usersRpc: RpcClient;
  let outbound: OutboundDelivery;
  const chats = new Map<number, SandboxChat>();
  let refused = 0;
  /** Messages the sandbox took, all broadcasts together (one runs at a time): cheap to poll, unlike the chats. */
  let sentOk = 0;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const notificationsDefinition = createNotificationsService({
    broadcast: { ratePerSecond: 25 * SCALE, maxRatePerSecond: 30 * SCALE, windowSeconds: 0.5 },
  });
  const admin = { botId: BOT, telegramUserId: ADMIN };
  const broadcasts = () => notifications.app.get(BroadcastUseCases, { strict: false });
  const sql = <T extends object>(query: string, params: unknown[] = []) => runSql<T>(gateway.dependencies.orm.em.fork(), query, params);
  const states = async (broadcastId: string) =>
    Object.fromEntries(
      (
        await sql<{ state: string; n: number }>(
          'SELECT state, count(*)::int AS n FROM notifications.notification_broadcast_recipients WHERE broadcast_id = $1 GROUP BY state',
          [broadcastId],
        )
      ).map((r) => [r.state, r.n]),
    );
  const status = async (broadcastId: string) =>
    (await sql<{ status: string }>('SELECT status FROM notifications.notification_broadcasts WHERE broadcast_id = $1', [broadcastId]))[0]?.status;
  const startBroadcast = async (text: string, audience: Parameters<BroadcastUseCases['chooseAudience']>[2] = { kind: 'all' }) => {
    const id = await broadcasts().draft(admin, { text, buttons: [{ text: 'More', url: 'https://example.org/news' }] });
    const preview = await broadcasts().chooseAudience(admin, id, audience);
    const confirmed = await broadcasts().confirm(admin, id);
    return { id, preview, confirmed };
  };
  const finished = (broadcastId: string, timeoutMs: number) =>
    waitFor(`broadcast ${broadcastId} to finish`, async () => ((await status(broadcastId)) === 'finished' ? true : undefined), { timeoutMs, intervalMs: 200 });
  /** Each member's copies of `text` (members with none left out): exactly one each is what a broadcast promises. */
  const copiesPerChat = (text: string) => {
    const copies = new Map<number, number>();
    for (const [id, chat] of chats) {
      const n = chat.botMessages().filter((m) => m.text === text).length;
      if (n) copies.set(id, n);
    }
    return copies;
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_broadcast');
    bus = await JetStreamEventBus.connect(testServers.natsUrl, 'broadcast-e2e', { namespace: uniqueName('bcast'), relay: { pollIntervalMs: 20 } });
    transport = { kind: 'in-process', broker: new InProcessBroker() };
    sandbox = new TelegramSandbox({
      rateLimits: { perBot: { limit: 30 * SCALE, windowMs: 1_000 } },
      // Its call history keeps the last 2,000 calls: the 429s are counted from its log instead.
      log: (line) => {
        if (/ sendMessage -> 429/.test(line)) refused++;
        if (/ sendMessage -> ok/.test(line)) sentOk++;
      },
    });
    await sandbox.start();
    bot = sandbox.createBot({ username: 'broadcast_bot' });
    const api = new Api(bot.token, { apiRoot: sandbox.apiRoot });
    usersRpc = createRpcClient(transport);

    outbound = new OutboundDelivery({
      throttle: new TelegramThrottle({ limits: { perBot: { limit: 30 * SCALE, windowMs: 1_000 } } }),
      concurrentChats: 64,
      pollIntervalMs: 50,
      logger: quiet,
    });
    const gatewayDefinition: ServiceDefinition = {
      name: 'gateway',
      schema: 'gateway',
      migrations: [...eventStoreMigrations, ...busMigrations, ...outboundMigrations],
      entities: outboundEntities,
      module: () => ({ module: StandInModule }),
      toPublic: gatewayPublicEvents,
      consumers: ({ orm, store }) => [
        outbound.consumer({ orm, store, telegram: { apiFor: (id) => (id === BOT ? api : undefined) }, users: new UsersClient(usersRpc) }),
      ],
    };
    gateway = await startService(gatewayDefinition, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    notifications = await startService(notificationsDefinition, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });

    // The audience as the users service's events leave it in the projection: MEMBERS members who started
    // the bot, and its owner ADMIN, whose chat the sandbox does not know (Telegram answers 400: a failure).
    const ids: number[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const user = sandbox.createUser({ firstName: `Member ${i}`, languageCode: i % 5 === 0 ? 'ru' : 'en' });
      const chat = sandbox.chat(user, bot);
      chat.sendCommand('start');
      chats.set(user.id, chat);
      ids.push(user.id);
    }
    await sql(
      `INSERT INTO notifications.notification_recipients (bot_id, telegram_user_id, user_id, first_name, language_code, registered_at, role)
       SELECT $1, id, gen_random_uuid(), 'Member', CASE WHEN ord % 5 = 1 THEN 'ru' ELSE 'en' END, now() - interval '10 days', 'user'
         FROM unnest($2::bigint[]) WITH ORDINALITY AS m(id, ord)`,
      [BOT, ids],
    );
    await sql(
      `INSERT INTO notifications.notification_recipients (bot_id, telegram_user_id, user_id, first_name, registered_at, role)
       VALUES ($1, $2, gen_random_uuid(), 'Admin', now(), 'owner')`,
      [BOT, ADMIN],
    );
  }, 60_000);

  afterAll(async () => {
    await usersRpc?.close();
    await outbound?.close();
    await notifications?.close();
    await gateway?.close();
    await bus?.close();
    // The shared broker keeps a namespace's streams until they are deleted.
    if (bus) await deleteNamespaceStreams(testServers.natsUrl, bus.naming);
    await sandbox?.stop();
    await database?.drop();
  });

  // A test that failed leaves its broadcast sending: cancelled and settled here, so the next one counts only its own.
  afterEach(async () => {
    const running = await sql<{ broadcast_id: string }>("SELECT broadcast_id FROM notifications.notification_broadcasts WHERE status IN ('sending', 'paused')");
    for (const { broadcast_id } of running) await broadcasts().cancel(admin, broadcast_id);
    await waitFor(
      'every broadcast to be over',
      async () =>
        (await sql("SELECT 1 FROM notifications.notification_broadcasts WHERE status IN ('sending', 'paused', 'cancelled')")).length === 0 ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }, 70_000);

  it(`sends to ${MEMBERS} members exactly once each, without one 429; who blocked the bot is counted, then skipped next time`, async () => {
    const ids = [...chats.keys()].slice(0, MEMBERS);
    for (const id of ids.slice(0, BLOCKERS)) chats.get(id)!.block();

    const first = await startBroadcast('First news');
    expect(first.preview).toMatchObject({ reach: MEMBERS + 1, skipped: 0, paid: false, costTenthsOfStar: 0 });
    expect(first.confirmed.reach).toBe(MEMBERS + 1);
    const started = Date.now();
    await finished(first.id, 400_000);
    const seconds = (Date.now() - started) / 1000;

    expect(refused).toBe(0);
    const copies = copiesPerChat('First news');
    expect(copies.size).toBe(MEMBERS - BLOCKERS);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    const report = (await broadcasts().view(admin, first.id)).report;
    // The owner's own row (ADMIN) is no sandbox chat: Telegram says 400, a failure.
    expect(report).toEqual({ sent: MEMBERS - BLOCKERS, failed: 1, blocked: BLOCKERS, skipped: 0, cancelled: 0 });
    // Never above the configured rate (a little slack for the first second's burst).
    expect(MEMBERS / seconds).toBeLessThanOrEqual(25 * SCALE * 1.05);

    await waitFor('the blocks in the audience', async () => {
      const [{ n }] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM notifications.notification_recipients WHERE bot_id = $1 AND blocked_bot', [BOT]);
      return n === BLOCKERS ? true : undefined;
    });
    const second = await startBroadcast('Second news', { kind: 'language', language: 'ru' });
    const blockedRu = ids.slice(0, BLOCKERS).filter((_, i) => i % 5 === 0).length;
    expect(second.confirmed).toMatchObject({ reach: MEMBERS / 5 - blockedRu, skipped: blockedRu });
    await finished(second.id, 120_000);
    expect((await broadcasts().view(admin, second.id)).report).toEqual({
      sent: MEMBERS / 5 - blockedRu,
      failed: 0,
      blocked: 0,
      skipped: blockedRu,
      cancelled: 0,
    });
    expect(copiesPerChat('Second news').size).toBe(MEMBERS / 5 - blockedRu);
    // A blocked chat is not tried again: no second 403 for anyone.
    expect((await states(second.id)).blocked ?? 0).toBe(0);
    expect(refused).toBe(0);
  }, 600_000);

  it('pauses (nothing more leaves within a second), resumes, and finishes with everyone once', async () => {
    const base = sentOk;
    const { id } = await startBroadcast('Paused news', { kind: 'language', language: 'ru' });
    await waitFor('some sends', () => sentOk - base >= 100 || undefined, { timeoutMs: 60_000, intervalMs: 100 });
    await broadcasts().pause(admin, id);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const atPause = sentOk;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sentOk).toBe(atPause);
    expect((await broadcasts().progress(admin, id)).status).toBe('paused');
    expect((await broadcasts().progress(admin, id)).remaining).toBeGreaterThan(0);

    await broadcasts().resume(admin, id);
    await finished(id, 120_000);
    const copies = copiesPerChat('Paused news');
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    expect((await broadcasts().view(admin, id)).report?.sent).toBe(copies.size);
  }, 200_000);

  it('cancels: nothing leaves a second after, the rest is counted as not sent', async () => {
    const base = sentOk;
    const { id } = await startBroadcast('Cancelled news');
    await waitFor('some sends', () => sentOk - base >= 100 || undefined, { timeoutMs: 60_000, intervalMs: 100 });
    await broadcasts().cancel(admin, id);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const atCancel = sentOk;
    await finished(id, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sentOk).toBe(atCancel);
    const report = (await broadcasts().view(admin, id)).report!;
    expect(report.cancelled).toBeGreaterThan(MEMBERS / 2);
    expect(report.sent + report.failed + report.blocked + report.skipped + report.cancelled).toBe(MEMBERS + 1);
    expect(report.sent).toBe(copiesPerChat('Cancelled news').size);
  }, 120_000);

  it('survives an abrupt stop of the notifications service mid-broadcast: still exactly once each', async () => {
    // A notifications process whose connections die at once, as with kill -9: no graceful shutdown, no
    // transaction finished; then a fresh one on the same database and broker.
    await notifications.close();
    const path = await cuttableDatabasePath(database.url);
    notifications = await startService(notificationsDefinition, { databaseUrl: path.url, bus, rpc: transport, httpPort: 0, logger: false });
    const { id } = await startBroadcast('Crash news', { kind: 'language', language: 'ru' });
    const base = sentOk;
    await waitFor('some sends', () => sentOk - base >= 200 || undefined, { timeoutMs: 60_000, intervalMs: 100 });
    await path.cut();
    await notifications.close().catch(() => undefined);
    notifications = await startService(notificationsDefinition, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });

    await finished(id, 120_000);
    const copies = copiesPerChat('Crash news');
    const ruMembers = MEMBERS / 5 - [...chats.keys()].slice(0, BLOCKERS).filter((_, i) => i % 5 === 0).length;
    expect(copies.size).toBe(ruMembers);
    expect([...copies.values()].filter((n) => n !== 1)).toEqual([]);
    expect((await states(id)).sent).toBe(ruMembers);
  }, 200_000);

  it('refuses a member who is not an admin, and another bot’s broadcast', async () => {
    const { id } = await startBroadcast('Refusals');
    await broadcasts().cancel(admin, id);
    const member = [...chats.keys()][BLOCKERS];
    await expect(broadcasts().draft({ botId: BOT, telegramUserId: member }, { text: 'hi' })).rejects.toMatchObject({
      code: 'NOTIFICATIONS.BROADCAST_FORBIDDEN',
    });
    await expect(broadcasts().pause({ botId: BOT, telegramUserId: member }, id)).rejects.toMatchObject({ code: 'NOTIFICATIONS.BROADCAST_FORBIDDEN' });
    await expect(broadcasts().view(admin, randomUUID())).rejects.toMatchObject({ code: 'NOTIFICATIONS.BROADCAST_NOT_FOUND' });
  });
});
