import { InProcessBroker, JetStreamEventBus, busMigrations, type RpcClient } from '@botplatform/bus';
import { RPC, type SendMessageRequestJson } from '@botplatform/contracts';
import { eventStoreMigrations, runSql } from '@botplatform/event-store';
import { notificationsService } from '@botplatform/notifications';
import { createRpcClient, startService, type RpcTransport, type RunningService, type ServiceDefinition } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot } from '@botplatform/telegram-sandbox';
import { NatsServerProcess, createTestDatabase, sleep, uniqueName, waitFor, type TestDatabase } from '@botplatform/testing';
import { Module } from '@nestjs/common';
import { Api } from 'grammy';
import { randomUUID } from 'node:crypto';
import { OutboundDelivery, TelegramThrottle, UsersClient, gatewayPublicEvents, outboundEntities, outboundMigrations } from '@botplatform/gateway';

const BOT_A = 'a0a0a0a0-0000-4000-8000-00000000000a';
const MESSAGES = 50;

@Module({})
class NothingModule {}

/**
 * The gateway at rest after outbound traffic, with the production polling intervals: the event relay
 * looks for new events ten times a second, the worker for queued requests twice, and nothing else of
 * the gateway opens transactions while idle.
 */
describe('Outbound delivery at rest', () => {
  let database: TestDatabase;
  let nats: NatsServerProcess;
  let bus: JetStreamEventBus;
  let transport: RpcTransport;
  let sandbox: TelegramSandbox;
  let botA: SandboxBot;
  let notifications: RunningService;
  let gateway: RunningService;
  let rpc: RpcClient;
  let outbound: OutboundDelivery;
  let committed = 0;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

  beforeAll(async () => {
    database = await createTestDatabase('bp_outbound_idle');
    nats = await NatsServerProcess.start();
    bus = await JetStreamEventBus.connect(nats.url, 'outbound-idle', { namespace: uniqueName('idle') });
    transport = { kind: 'in-process', broker: new InProcessBroker() };
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    botA = sandbox.createBot({ username: 'outbound_idle_bot' });
    const api = new Api(botA.token, { apiRoot: sandbox.apiRoot });
    rpc = createRpcClient(transport);

    notifications = await startService(notificationsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    // The worker's own settings are the production defaults (a poll every 500 ms); only the per-chat
    // limit is raised so the messages leave at once.
    outbound = new OutboundDelivery({ throttle: new TelegramThrottle({ limits: { perChat: { limit: 50, windowMs: 1_000 } } }), logger: quiet });
    const gatewayDefinition: ServiceDefinition = {
      name: 'gateway',
      schema: 'gateway',
      migrations: [...eventStoreMigrations, ...busMigrations, ...outboundMigrations],
      entities: outboundEntities,
      module: () => ({ module: NothingModule }),
      toPublic: gatewayPublicEvents,
      consumers: ({ orm, store }) => [
        outbound.consumer({ orm, store, telegram: { apiFor: (botId) => (botId === BOT_A ? api : undefined) }, users: new UsersClient(rpc) }),
      ],
    };
    gateway = await startService(gatewayDefinition, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    // Every transaction of the gateway's ORM starts from a copy of this event manager's subscribers.
    gateway.dependencies.orm.em.getEventManager().registerSubscriber({ afterTransactionCommit: () => void committed++ });
  }, 30_000);

  afterAll(async () => {
    await rpc?.close();
    await outbound?.close();
    await bus?.close();
    await gateway?.close();
    await notifications?.close();
    await sandbox?.stop();
    await nats?.dispose();
    await database?.drop();
  });

  it(`does next to no database work once ${MESSAGES} messages are delivered`, async () => {
    const users = Array.from({ length: 5 }, (_, i) => {
      const user = sandbox.createUser({ firstName: `Idle ${i}` });
      sandbox.chat(user, botA).sendCommand('start');
      return user;
    });
    for (let i = 0; i < MESSAGES; i++) {
      const request: SendMessageRequestJson = {
        requestId: randomUUID(),
        botId: BOT_A,
        chatId: String(users[i % users.length].id),
        text: `message ${i}`,
        purpose: 'test:idle',
      };
      expect((await rpc.call(RPC.notifications.sendMessage, request)).accepted).toBe(true);
    }
    await waitFor(
      `${MESSAGES} deliveries`,
      async () => {
        const [{ delivered }] = await runSql<{ delivered: number }>(
          gateway.dependencies.orm.em.fork({ disableContextResolution: true }),
          `SELECT count(*)::int AS delivered FROM gateway.gateway_outbound_deliveries WHERE status = 'delivered'`,
        );
        return delivered === MESSAGES;
      },
      { timeoutMs: 20_000 },
    );
    expect(sandbox.apiCalls(botA, 'sendMessage')).toHaveLength(MESSAGES);
    // Let the outcome events reach the bus, then watch the gateway at rest.
    await sleep(1_000);
    const before = committed;
    const watchMs = 3_000;
    await sleep(watchMs);
    const perSecond = ((committed - before) * 1_000) / watchMs;
    // The relay's poll (10 a second) and the worker's (2) are the whole of it; a worker woken by its own
    // commits makes hundreds.
    expect(perSecond).toBeLessThan(25);
  });
});
