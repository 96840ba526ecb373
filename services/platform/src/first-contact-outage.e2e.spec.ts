import { JetStreamEventBus } from '@botplatform/bus';
import { gatewayService, type GatewayServiceDefinition } from '@botplatform/gateway';
import { notificationsService } from '@botplatform/notifications';
import { startService, type RpcTransport, type RunningService, type ServiceDefinition } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxChat } from '@botplatform/telegram-sandbox';
import { createTestDatabase, sleep, uniqueName, waitFor, type TestDatabase } from '@botplatform/testing';
import { createUsersService, registerTestBot } from '@botplatform/users';
import { startPlatformNats, type PlatformNats } from './testing/platform-nats.js';

/**
 * No update is lost: a first contact that arrives while the users service, the broker or the gateway
 * itself is away is recorded, and answered once they are back; late, never "something went wrong",
 * never twice. Distributed mode, where the outages happen: JetStream and NATS request/reply on a
 * private broker with the platform's permissions, each service as its own user.
 */
describe('First contacts during an outage (distributed)', () => {
  let database: TestDatabase;
  let nats: PlatformNats;
  const buses = new Map<string, JetStreamEventBus>();
  let sandbox: TelegramSandbox;
  let sandboxBot: SandboxBot;
  let botId: string;
  const running = new Map<string, RunningService>();
  let gateway: GatewayServiceDefinition;

  const start = async (definition: ServiceDefinition) => {
    const credentials = nats.credentialsOf(definition.name);
    const rpc: RpcTransport = { kind: 'nats', servers: nats.url, credentials };
    running.set(
      definition.name,
      await startService(definition, { databaseUrl: database.url, bus: buses.get(definition.name)!, rpc, httpPort: 0, logger: false }),
    );
  };
  const stop = async (name: string) => {
    await running.get(name)?.close();
    running.delete(name);
  };
  const startGateway = async () => {
    gateway = gatewayService({
      telegramApiRoot: sandbox.apiRoot,
      mode: 'polling',
      pollingTimeoutSeconds: 1,
      reconcileIntervalMs: 0,
      retryDelaysMs: [200, 500],
    });
    await start(gateway);
    await waitFor('the gateway to host the bot', () => gateway.host?.hosted().length === 1, { timeoutMs: 15_000 });
  };
  const usersService = () => createUsersService({ operatorToken: 'first-contact-operator-token-0123' });
  const membershipsOf = async (telegramUserIds: readonly number[]) => {
    const rows = await running
      .get('users')!
      .dependencies.orm.em.getConnection()
      .execute<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM users.memberships WHERE bot_id = ? AND telegram_user_id IN (${telegramUserIds.map(() => '?').join(', ')})`,
        [botId, ...telegramUserIds.map(String)],
      );
    return rows[0].n;
  };
  /** `count` new people each send /start once; their chats, with everything the bot says in them. */
  const firstContacts = (count: number, name: string) =>
    Array.from({ length: count }, (_, i) => {
      const user = sandbox.createUser({ firstName: `${name}${i}`, languageCode: 'en' });
      const chat = sandbox.chat(user, sandboxBot);
      chat.sendCommand('start');
      return { user, chat };
    });
  const answersIn = (chat: SandboxChat) => chat.botMessages().map((message) => message.text ?? '');
  const expectAnsweredOnce = async (contacts: readonly { user: { id: number }; chat: SandboxChat }[], name: string) => {
    await waitFor(`every ${name} to be answered`, () => contacts.every(({ chat }) => answersIn(chat).length > 0), { timeoutMs: 30_000 });
    await sleep(500); // a second answer, if any, would come now
    for (const [i, { chat }] of contacts.entries()) {
      expect(answersIn(chat)).toEqual([`Hello, ${name}${i}! I am Outage bot. Send /help to see what I can do.`]);
    }
    expect(await membershipsOf(contacts.map(({ user }) => user.id))).toBe(contacts.length);
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_first_contact');
    const namespace = uniqueName('fc');
    nats = await startPlatformNats(namespace);
    for (const user of ['users', 'notifications', 'gateway']) {
      buses.set(user, await JetStreamEventBus.connect(nats.url, user, { namespace, credentials: nats.credentialsOf(user), relay: { pollIntervalMs: 20 } }));
    }
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    sandboxBot = sandbox.createBot({ username: 'outage_bot', firstName: 'Outage bot' });
    await start(usersService());
    await start(notificationsService);
    const users = running.get('users')!.dependencies;
    ({ botId } = await registerTestBot(users.store, users.orm.em, { name: 'Outage bot', token: sandboxBot.token }));
    await startGateway();
  });

  afterAll(async () => {
    for (const name of [...running.keys()].reverse()) await stop(name);
    for (const bus of buses.values()) await bus.close();
    await nats?.dispose();
    await sandbox?.stop();
    await database?.drop();
  });

  it('answers a /start sent while the users service is down once it is back, with its membership', async () => {
    await stop('users');
    const contacts = firstContacts(3, 'Uma');
    await sleep(2_000);
    expect(contacts.flatMap(({ chat }) => answersIn(chat))).toEqual([]);
    await start(usersService());
    await expectAnsweredOnce(contacts, 'Uma');
  });

  it('answers a /start sent while the broker is down once it is back', async () => {
    await nats.server.stop();
    const contacts = firstContacts(3, 'Bo');
    await sleep(2_000);
    await nats.server.restart();
    await expectAnsweredOnce(contacts, 'Bo');
  });

  it('answers a /start the gateway had taken when it stopped, from its journal, after its restart', async () => {
    await stop('users');
    const contacts = firstContacts(2, 'Gil');
    // Taken from Telegram (confirmed by the next getUpdates) and waiting for the users service...
    await sleep(2_000);
    // ...when the gateway goes away: only its journal still has them.
    await stop('gateway');
    await start(usersService());
    await startGateway();
    await expectAnsweredOnce(contacts, 'Gil');
  });
});
