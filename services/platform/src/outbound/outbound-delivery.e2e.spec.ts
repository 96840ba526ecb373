import { InProcessBroker, JetStreamEventBus, RpcHandler, busMigrations, type RpcClient } from '@botplatform/bus';
import {
  RPC,
  DeliveryFailure,
  MessageDeliveredSchema,
  MessageDeliveryFailedSchema,
  isEventOf,
  type RecordBotBlockedReplyJson,
  type RecordBotBlockedRequestJson,
  type SendMessageRequestJson,
} from '@botplatform/contracts';
import { PostgresEventStore, createServiceOrm, eventStoreMigrations, runSql } from '@botplatform/event-store';
import { notificationsService } from '@botplatform/notifications';
import { createRpcClient, startService, type RpcTransport, type RunningService, type ServiceDefinition } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { NatsServerProcess, createTestDatabase, freePort, uniqueName, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Api } from 'grammy';
import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import {
  OutboundDelivery,
  OutboundDeliveryLedger,
  OutboundDeliveryWorker,
  TelegramThrottle,
  UsersClient,
  gatewayPublicEvents,
  outboundEntities,
  outboundMigrations,
} from '@botplatform/gateway';

const BOT_A = 'a0a0a0a0-0000-4000-8000-00000000000a';
const UNREACHABLE_BOT = 'c0c0c0c0-0000-4000-8000-00000000000c';

/** Calls the stand-in users service received; it fails for one user, to show a failing call changes nothing. */
const blockedCalls: RecordBotBlockedRequestJson[] = [];
let failingUserId = '';

@Controller()
class UsersStandIn {
  @RpcHandler(RPC.users.recordBotBlocked)
  recordBotBlocked(@Payload() request: RecordBotBlockedRequestJson): RecordBotBlockedReplyJson {
    blockedCalls.push(request);
    if (request.telegramUserId === failingUserId) throw new Error('users service is having a bad day');
    return { changed: true };
  }
}

@Module({ controllers: [UsersStandIn] })
class StandInModule {}

/** A TCP path to PostgreSQL that can be cut, as a crash cuts a process's connections for good. */
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

interface Outcome {
  kind: 'delivered' | 'failed';
  chatId: bigint;
  messageId?: bigint;
  failure?: DeliveryFailure;
  description?: string;
  attempts: number;
  streamId: string;
  correlationId: string;
}

describe('Outbound messages: notifications → gateway → Telegram', () => {
  let database: TestDatabase;
  let nats: NatsServerProcess;
  let bus: JetStreamEventBus;
  let transport: RpcTransport;
  let sandbox: TelegramSandbox;
  let botA: SandboxBot;
  let notifications: RunningService;
  let gateway: RunningService;
  let observerOrm: MikroORM;
  let rpc: RpcClient;
  let usersRpc: RpcClient;
  const apis = new Map<string, Api>();
  const outcomes = new Map<string, Outcome>();
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const telegram = { apiFor: (botId: string) => apis.get(botId) };
  let outbound: OutboundDelivery;
  let throttle: TelegramThrottle;

  const send = (request: Partial<SendMessageRequestJson> & { chatId: string }) => {
    const requestId = request.requestId ?? randomUUID();
    const full: SendMessageRequestJson = { botId: BOT_A, text: 'hello', purpose: 'test:outbound', ...request, requestId };
    return rpc.call(RPC.notifications.sendMessage, full).then((reply) => ({ accepted: reply.accepted, requestId }));
  };
  const outcomeOf = (requestId: string) => waitFor(`the outcome of ${requestId}`, () => outcomes.get(requestId));
  const startedUser = (firstName: string): { user: SandboxUser; chat: SandboxChat } => {
    const user = sandbox.createUser({ firstName });
    const chat = sandbox.chat(user, botA);
    chat.sendCommand('start');
    return { user, chat };
  };
  const sendCalls = (text: string) => sandbox.apiCalls(botA, 'sendMessage').filter((call) => call.params.text === text);
  const deliveryRow = async (requestId: string) =>
    (
      await runSql<{ status: string; attempts: number; message_id: string | null; failure: string | null }>(
        gateway.dependencies.orm.em.fork(),
        'SELECT status, attempts, message_id::text, failure FROM gateway.gateway_outbound_deliveries WHERE request_id = $1',
        [requestId],
      )
    )[0];

  beforeAll(async () => {
    database = await createTestDatabase('bp_outbound');
    nats = await NatsServerProcess.start();
    bus = await JetStreamEventBus.connect(nats.url, 'outbound-e2e', { namespace: uniqueName('outbound'), relay: { pollIntervalMs: 20 } });
    transport = { kind: 'in-process', broker: new InProcessBroker() };
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    botA = sandbox.createBot({ username: 'outbound_a_bot' });
    apis.set(BOT_A, new Api(botA.token, { apiRoot: sandbox.apiRoot }));
    apis.set(UNREACHABLE_BOT, new Api('4242:unreachable', { apiRoot: `http://127.0.0.1:${await freePort()}` }));
    usersRpc = createRpcClient(transport);

    notifications = await startService(notificationsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    const gatewayDefinition: ServiceDefinition = {
      name: 'gateway',
      schema: 'gateway',
      migrations: [...eventStoreMigrations, ...busMigrations, ...outboundMigrations],
      entities: outboundEntities,
      module: () => ({ module: StandInModule }),
      toPublic: gatewayPublicEvents,
      consumers: ({ orm, store }) => [outbound.consumer({ orm, store, telegram, users: new UsersClient(usersRpc) })],
    };
    // Groups are slow on purpose: a second message to a group waits 3 s for its slot.
    throttle = new TelegramThrottle({ limits: { perChat: { limit: 50, windowMs: 1_000 }, perGroup: { limit: 1, windowMs: 3_000, burst: 1 } } });
    outbound = new OutboundDelivery({
      throttle,
      retry: { rounds: 3, backoffMs: [50] },
      pollIntervalMs: 50,
      unhostedGraceMs: 300,
      recordBackoffMs: [50],
      logger: quiet,
    });
    gateway = await startService(gatewayDefinition, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    rpc = createRpcClient(transport);

    observerOrm = await createServiceOrm({ clientUrl: database.url, schema: 'observer', migrations: busMigrations });
    await bus.consume(
      {
        name: 'observer--deliveries',
        source: 'gateway',
        subjects: ['gateway.message.delivered.v1', 'gateway.message.delivery_failed.v1'],
        handle: async (event) => {
          const { streamId, correlationId } = event.envelope;
          if (isEventOf(event, MessageDeliveredSchema)) {
            const { message } = event;
            outcomes.set(message.requestId, {
              kind: 'delivered',
              chatId: message.chatId,
              messageId: message.messageId,
              attempts: message.attempts,
              streamId,
              correlationId,
            });
          } else if (isEventOf(event, MessageDeliveryFailedSchema)) {
            const { message } = event;
            outcomes.set(message.requestId, {
              kind: 'failed',
              chatId: message.chatId,
              failure: message.failure,
              description: message.description,
              attempts: message.attempts,
              streamId,
              correlationId,
            });
          }
        },
      },
      observerOrm,
    );
  }, 30_000);

  afterAll(async () => {
    await rpc?.close();
    await usersRpc?.close();
    await outbound?.close();
    await bus?.close();
    await gateway?.close();
    await notifications?.close();
    await observerOrm?.close(true);
    await sandbox?.stop();
    await nats?.dispose();
    await database?.drop();
  });

  it('delivers a requested message to the user and publishes MessageDelivered', async () => {
    const { user, chat } = startedUser('Alice');
    const { requestId, accepted } = await send({ chatId: String(user.id), text: 'Your plan ends tomorrow' });
    expect(accepted).toBe(true);

    const received = await chat.waitForMessage((m) => m.text === 'Your plan ends tomorrow');
    const outcome = await outcomeOf(requestId);
    expect(outcome).toMatchObject({
      kind: 'delivered',
      chatId: BigInt(user.id),
      messageId: BigInt(received.message_id),
      attempts: 1,
      streamId: `delivery-${requestId}`,
      correlationId: requestId,
    });
    expect(await deliveryRow(requestId)).toMatchObject({ status: 'delivered', attempts: 1, message_id: String(received.message_id) });
  });

  it('delivers buttons as an inline keyboard, with the parse mode and silently', async () => {
    const { user, chat } = startedUser('Bob');
    await send({
      chatId: String(user.id),
      text: '<b>Renew</b> your plan?',
      parseMode: 'HTML',
      disableNotification: true,
      buttons: [
        {
          buttons: [
            { text: 'Renew', callbackData: 'renew:monthly' },
            { text: 'Later', callbackData: 'later' },
          ],
        },
        { buttons: [{ text: 'Plans', url: 'https://example.org/plans' }] },
      ],
    });

    const received = await chat.waitForMessage((m) => m.text === 'Renew your plan?');
    expect(received.entities).toEqual([expect.objectContaining({ type: 'bold', offset: 0, length: 5 })]);
    expect(received.reply_markup?.inline_keyboard).toEqual([
      [
        { text: 'Renew', callback_data: 'renew:monthly' },
        { text: 'Later', callback_data: 'later' },
      ],
      [{ text: 'Plans', url: 'https://example.org/plans' }],
    ]);
    // The sandbox records a call once it has answered it, just after the message appears.
    const [call] = await waitFor('the recorded call', () => sendCalls('<b>Renew</b> your plan?').length > 0 && sendCalls('<b>Renew</b> your plan?'));
    expect(call.params.disable_notification).toBe('true');
  });

  it('posts in the forum topic a request names (a bot’s admin topic)', async () => {
    const { user } = startedUser('Topic member');
    const group = sandbox.createGroup({ title: 'Admins', members: [user], bots: [botA] });
    const groupChat = sandbox.chat(group, botA);
    const { requestId } = await send({ chatId: String(group.id), text: 'New payment: 250 XTR', messageThreadId: 42 });
    const received = await groupChat.waitForMessage((m) => m.text === 'New payment: 250 XTR');
    expect(received).toMatchObject({ message_thread_id: 42, is_topic_message: true });
    expect(await outcomeOf(requestId)).toMatchObject({ kind: 'delivered', chatId: BigInt(group.id) });
  });

  it('sends the same request id once, however often it is asked for', async () => {
    const { user, chat } = startedUser('Carol');
    const first = await send({ chatId: String(user.id), text: 'only once' });
    const again = await send({ requestId: first.requestId, chatId: String(user.id), text: 'only once' });
    expect([first.accepted, again.accepted]).toEqual([true, false]);
    await outcomeOf(first.requestId);

    // A producer that published the request a second time (another event, same request id): the gateway's own record stops it.
    const context = {
      botId: BOT_A,
      correlationId: first.requestId,
      causationId: null,
      actor: { kind: 'service' as const, id: 'test' },
      occurredAt: new Date(),
    };
    const [original] = (await notifications.dependencies.store.readStream(`outbound-${first.requestId}`)).events;
    await notifications.dependencies.store.append(`outbound-${first.requestId}-again`, 'no_stream', [{ type: original.type, data: original.data }], context);
    const marker = await send({ chatId: String(user.id), text: 'after the duplicate' });
    await chat.waitForMessage((m) => m.text === 'after the duplicate');
    await outcomeOf(marker.requestId);

    expect(chat.botMessages().filter((m) => m.text === 'only once')).toHaveLength(1);
    expect(sendCalls('only once')).toHaveLength(1);
    expect(await gateway.dependencies.store.streamVersion(`delivery-${first.requestId}`)).toBe(1);
  });

  it('keeps the order of the messages to one chat', async () => {
    const { user, chat } = startedUser('Dave');
    const texts = Array.from({ length: 8 }, (_, i) => `step ${i + 1}`);
    const sent = [];
    for (const text of texts) sent.push(await send({ chatId: String(user.id), text }));
    await Promise.all(sent.map((s) => outcomeOf(s.requestId)));
    expect(chat.botMessages().map((m) => m.text)).toEqual(texts);
  });

  it('holds no transaction open while a send waits for its slot, and serves other chats meanwhile', async () => {
    const member = sandbox.createUser({ firstName: 'Gus' });
    const group = sandbox.createGroup({ title: 'Slow group', members: [member], bots: [botA] });
    const groupChat = sandbox.chat(group, botA);
    const first = await send({ chatId: String(group.id), text: 'group 1' });
    const second = await send({ chatId: String(group.id), text: 'group 2' });
    await outcomeOf(first.requestId);
    // 'group 2' is claimed and waits ~3 s in the throttle for the group's next slot, still 'queued'.
    await waitFor('group 2 to wait for its slot', () => throttle.pending === 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const { user, chat } = startedUser('Hank');
    const other = await send({ chatId: String(user.id), text: 'not behind the group' });
    await chat.waitForMessage((m) => m.text === 'not behind the group');
    await outcomeOf(other.requestId);
    const [{ open }] = await runSql<{ open: number }>(
      observerOrm.em.fork(),
      `SELECT count(*)::int AS open FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start < now() - interval '500 ms'`,
    );
    expect(open).toBe(0);
    expect(outcomes.has(second.requestId)).toBe(false);
    expect((await deliveryRow(second.requestId))?.status).toBe('queued');

    expect(await outcomeOf(second.requestId)).toMatchObject({ kind: 'delivered' });
    expect(groupChat.botMessages().map((m) => m.text)).toEqual(['group 1', 'group 2']);
  });

  describe('after a crash between the send and its record', () => {
    it('does not send again when it cannot know whether Telegram has the message: OUTCOME_UNKNOWN', async () => {
      const { user, chat } = startedUser('Erin');
      const requestId = randomUUID();
      // What a gateway that died after calling Telegram and before recording leaves behind.
      await runSql(
        gateway.dependencies.orm.em.fork(),
        `INSERT INTO gateway.gateway_outbound_deliveries (request_id, bot_id, chat_id, status, text) VALUES ($1, $2, $3, 'sending', 'maybe sent before the crash')`,
        [requestId, BOT_A, user.id],
      );
      // The request delivered again after the crash finds its row: not queued a second time.
      await send({ requestId, chatId: String(user.id), text: 'maybe sent before the crash' });
      // The consumer takes events in order: once a later request is delivered, this one was taken.
      const other = startedUser('Erin2');
      await outcomeOf((await send({ chatId: String(other.user.id), text: 'a later request' })).requestId);
      expect(await deliveryRow(requestId)).toMatchObject({ status: 'sending' });

      // The restarted gateway's worker finds the row.
      const restarted = new OutboundDeliveryWorker({
        orm: gateway.dependencies.orm,
        store: gateway.dependencies.store,
        telegram,
        users: new UsersClient(usersRpc),
        logger: quiet,
      });
      await restarted.start();
      await restarted.close();

      expect(await outcomeOf(requestId)).toMatchObject({ kind: 'failed', failure: DeliveryFailure.OUTCOME_UNKNOWN });
      expect(sendCalls('maybe sent before the crash')).toHaveLength(0);
      expect(chat.botMessages()).toHaveLength(0);
      expect(await deliveryRow(requestId)).toMatchObject({ status: 'failed', failure: 'outcome_unknown' });
    });

    it('records the delivery Telegram answered, without a second send, when recording failed once', async () => {
      const { user, chat } = startedUser('Frank');
      const requestId = randomUUID();
      const em = gateway.dependencies.orm.em.fork();
      // The consumer's transaction fails once at the append of this request's outcome, after Telegram answered.
      await runSql(em, `CREATE SEQUENCE gateway.test_fault_seq`);
      await runSql(
        em,
        `CREATE FUNCTION gateway.test_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.stream_id = 'delivery-${requestId}' AND nextval('gateway.test_fault_seq') = 1 THEN
             RAISE EXCEPTION 'injected failure while recording %', NEW.stream_id;
           END IF;
           RETURN NEW;
         END $$`,
      );
      await runSql(em, `CREATE TRIGGER test_fail_once BEFORE INSERT ON gateway.event_store_events FOR EACH ROW EXECUTE FUNCTION gateway.test_fail_once()`);
      try {
        await send({ requestId, chatId: String(user.id), text: 'sent once despite the failure' });
        const received = await chat.waitForMessage((m) => m.text === 'sent once despite the failure');
        expect(await outcomeOf(requestId)).toMatchObject({ kind: 'delivered', messageId: BigInt(received.message_id) });
        const [{ failures }] = await runSql<{ failures: string }>(em, `SELECT last_value::text AS failures FROM gateway.test_fault_seq`);
        expect(Number(failures)).toBeGreaterThanOrEqual(2); // the failed attempt and the retry both reached the append
      } finally {
        await runSql(em, `DROP TRIGGER test_fail_once ON gateway.event_store_events`);
      }
      expect(sendCalls('sent once despite the failure')).toHaveLength(1);
      expect(chat.botMessages()).toHaveLength(1);
    });
  });

  describe('after a crash while messages wait for their slot', () => {
    it('sends the messages that never left, once each, and fails only the one that left OUTCOME_UNKNOWN', async () => {
      // A gateway of its own (schema and workers), so the harness's worker does not take these rows.
      const schema = 'outbound_crash';
      const migrations = [...eventStoreMigrations, ...outboundMigrations];
      const orm = await createServiceOrm({ clientUrl: database.url, schema, migrations });
      const path = await cuttableDatabasePath(database.url);
      const crashingOrm = await createServiceOrm({ clientUrl: path.url, schema, migrations });
      try {
        const [kim, lee, max, ned] = ['Kim', 'Lee', 'Max', 'Ned'].map(startedUser);
        const queued = [
          { chat: kim, text: 'crash: left before the crash' },
          { chat: lee, text: 'crash: waiting for its slot 1' },
          { chat: max, text: 'crash: waiting for its slot 2' },
          { chat: ned, text: 'crash: waiting for its slot 3' },
          { chat: kim, text: 'crash: behind the one that left' },
        ].map(({ chat, text }) => ({ requestId: randomUUID(), chatId: chat.user.id, text }));
        const [left, ...neverLeft] = queued;
        await orm.em.fork().transactional((em) =>
          new OutboundDeliveryLedger(orm).enqueue(
            queued.map(({ requestId, chatId, text }) => ({
              requestId,
              botId: BOT_A,
              chatId,
              text,
              buttons: [],
              disableNotification: false,
              correlationId: requestId,
              causationId: null,
            })),
            em,
          ),
        );
        // The first message's outcome cannot be recorded: the gateway dies between its send and its record.
        await runSql(
          orm.em.fork(),
          `CREATE FUNCTION ${schema}.test_refuse_record() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.stream_id = 'delivery-${left.requestId}' THEN RAISE EXCEPTION 'the gateway is dying'; END IF;
             RETURN NEW;
           END $$`,
        );
        await runSql(
          orm.em.fork(),
          `CREATE TRIGGER test_refuse_record BEFORE INSERT ON ${schema}.event_store_events FOR EACH ROW EXECUTE FUNCTION ${schema}.test_refuse_record()`,
        );

        // One send a minute for the bot: the first message leaves, the heads of the other chats wait for their slot.
        const slowThrottle = new TelegramThrottle({ limits: { perBot: { limit: 1, windowMs: 60_000, burst: 1 } } });
        const users = new UsersClient(usersRpc);
        const crashing = new OutboundDeliveryWorker({
          orm: crashingOrm,
          store: new PostgresEventStore(crashingOrm.em, { schema }),
          telegram,
          users,
          throttle: slowThrottle,
          pollIntervalMs: 50,
          recordBackoffMs: [50],
          logger: quiet,
        });
        await crashing.start();
        await waitFor('the first message sent, the others waiting for their slot', () => sendCalls(left.text).length === 1 && slowThrottle.pending === 3);

        // The crash: the dying gateway's connections are gone for good. Closing its worker afterwards
        // only stops its timers: nothing it tries reaches the database any more.
        await path.cut();
        await crashing.close();

        await runSql(orm.em.fork(), `DROP TRIGGER test_refuse_record ON ${schema}.event_store_events`);
        const restarted = new OutboundDeliveryWorker({
          orm,
          store: new PostgresEventStore(orm.em, { schema }),
          telegram,
          users,
          pollIntervalMs: 50,
          logger: quiet,
        });
        await restarted.start();
        const settled = await waitFor('every request settled', async () => {
          const rows = await runSql<{ request_id: string; status: string; failure: string | null }>(
            orm.em.fork(),
            `SELECT request_id, status, failure FROM ${schema}.gateway_outbound_deliveries WHERE status IN ('delivered', 'failed') ORDER BY seq`,
          );
          return rows.length === queued.length && rows;
        });
        await restarted.close();

        expect(settled).toEqual([
          { request_id: left.requestId, status: 'failed', failure: 'outcome_unknown' },
          ...neverLeft.map(({ requestId }) => ({ request_id: requestId, status: 'delivered', failure: null })),
        ]);
        for (const { text } of queued) expect(sendCalls(text)).toHaveLength(1);
        expect(kim.chat.botMessages().map((m) => m.text)).toEqual([left.text, 'crash: behind the one that left']);
      } finally {
        // Not awaited: the cut left a connection checked out for good, as a crash would, and the pool
        // would wait for it forever.
        void crashingOrm.close(true).catch(() => undefined);
        await orm.close(true);
      }
    });
  });

  describe('when Telegram refuses', () => {
    it('fails FORBIDDEN when the user blocked the bot, and tells the users service', async () => {
      const { user, chat } = startedUser('Grace');
      chat.block();
      const { requestId } = await send({ chatId: String(user.id), text: 'are you there?' });

      const outcome = await outcomeOf(requestId);
      expect(outcome).toMatchObject({ kind: 'failed', failure: DeliveryFailure.FORBIDDEN, attempts: 1 });
      expect(outcome.description).toMatch(/bot was blocked by the user/);
      expect(blockedCalls).toContainEqual({ botId: BOT_A, telegramUserId: String(user.id), blocked: true });
    });

    it('still records the failure when the users service cannot be told', async () => {
      const { user, chat } = startedUser('Heidi');
      chat.block();
      failingUserId = String(user.id);
      const { requestId } = await send({ chatId: String(user.id), text: 'are you there?' });

      expect(await outcomeOf(requestId)).toMatchObject({ kind: 'failed', failure: DeliveryFailure.FORBIDDEN });
      expect(blockedCalls.filter((c) => c.telegramUserId === failingUserId)).toHaveLength(1);
    });

    it('fails FORBIDDEN without recording a block when the user never started the bot', async () => {
      const stranger = sandbox.createUser({ firstName: 'Ivan' });
      const { requestId } = await send({ chatId: String(stranger.id), text: 'hello stranger' });

      const outcome = await outcomeOf(requestId);
      expect(outcome).toMatchObject({ kind: 'failed', failure: DeliveryFailure.FORBIDDEN });
      expect(outcome.description).toMatch(/can't initiate conversation/);
      expect(blockedCalls.some((c) => c.telegramUserId === String(stranger.id))).toBe(false);
    });

    it('fails REJECTED when Telegram refuses the request itself', async () => {
      const { user } = startedUser('Judy');
      const { requestId } = await send({ chatId: String(user.id), text: '<b>never closed', parseMode: 'HTML' });

      const outcome = await outcomeOf(requestId);
      expect(outcome).toMatchObject({ kind: 'failed', failure: DeliveryFailure.REJECTED, attempts: 1 });
      expect(outcome.description).toMatch(/^Bad Request/);
    });
  });

  it('fails BOT_UNAVAILABLE for a bot this gateway does not host, without calling Telegram', async () => {
    const { requestId } = await send({ botId: randomUUID(), chatId: '5005', text: 'from nowhere' });
    expect(await outcomeOf(requestId)).toMatchObject({ kind: 'failed', failure: DeliveryFailure.BOT_UNAVAILABLE, attempts: 0 });
    expect(await deliveryRow(requestId)).toMatchObject({ status: 'failed', failure: 'bot_unavailable' });
  });

  it('tries again when Telegram cannot be reached, then gives up: GAVE_UP', async () => {
    const { requestId } = await send({ botId: UNREACHABLE_BOT, chatId: '5006', text: 'into the void' });
    const outcome = await outcomeOf(requestId);
    expect(outcome).toMatchObject({ kind: 'failed', failure: DeliveryFailure.GAVE_UP, attempts: 3 });
  });
});
