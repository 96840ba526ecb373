import { EmbeddedEventBus, InProcessBroker, JetStreamEventBus, RpcCallError, type EventBus, type RpcClient } from '@botplatform/bus';
import type { RegisterUserReplyJson, RegisterUserRequestJson } from '@botplatform/contracts';
import { NotificationRecipient } from '@botplatform/notifications';
import { createRpcClient, type RpcTransport } from '@botplatform/service-kit';
import { NatsServerProcess, createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@botplatform/testing';
import { REGISTER_USER } from '@botplatform/users';
import { startPlatform, type RunningPlatform } from './platform.js';

const BOT_A = '11111111-1111-4111-8111-111111111111';
const BOT_B = '22222222-2222-4222-8222-222222222222';

interface Wiring {
  bus: EventBus;
  rpc: RpcTransport;
  close(): Promise<void>;
}

const modes: Record<string, () => Promise<Wiring>> = {
  'embedded: in-process bus and request/reply': async () => ({
    bus: new EmbeddedEventBus({ pollIntervalMs: 50 }),
    rpc: { kind: 'in-process', broker: new InProcessBroker() },
    close: async () => undefined,
  }),
  // A private broker: request/reply subjects are global, so a shared one would mix test runs.
  'distributed: JetStream bus and NATS request/reply': async () => {
    const nats = await NatsServerProcess.start();
    return {
      bus: await JetStreamEventBus.connect(nats.url, 'platform-e2e', { namespace: uniqueName('e2e'), relay: { pollIntervalMs: 20 } }),
      rpc: { kind: 'nats', servers: nats.url },
      close: () => nats.dispose(),
    };
  },
};

describe.each(Object.keys(modes))('The platform (%s)', (mode) => {
  let database: TestDatabase;
  let wiring: Wiring;
  let platform: RunningPlatform;
  let rpc: RpcClient;

  const register = (request: RegisterUserRequestJson) =>
    rpc.call<RegisterUserRequestJson, RegisterUserReplyJson>(REGISTER_USER, request);
  const recipients = (botId: string) =>
    platform.services.get('notifications')!.dependencies.orm.em.fork().find(NotificationRecipient, { botId }, { orderBy: { telegramUserId: 'asc' } });

  beforeAll(async () => {
    database = await createTestDatabase('bp_platform');
    wiring = await modes[mode]();
    platform = await startPlatform({ databaseUrl: database.url, bus: wiring.bus, rpc: wiring.rpc, firstHttpPort: 0, logger: false });
    rpc = createRpcClient(wiring.rpc);
  });

  afterAll(async () => {
    await rpc?.close();
    await platform?.close();
    await wiring?.bus.close();
    await wiring?.close();
    await database?.drop();
  });

  it('starts every service with its migrations applied and a passing health check', async () => {
    for (const service of platform.services.values()) {
      const response = await fetch(`${service.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', checks: { database: 'up' } });
      const executed = await service.dependencies.orm.migrator.getExecuted();
      expect(executed.length).toBeGreaterThan(0);
    }
  });

  it('registers a user for a bot, and the notifications service projects them as a recipient', async () => {
    const reply = await register({
      botId: BOT_A,
      telegramUserId: '7000001',
      firstName: 'Ann',
      languageCode: 'ru',
      isPremium: true,
      startPayload: 'campaign_7',
    });
    expect(reply).toMatchObject({ membershipCreated: true, alreadyRegistered: false });
    const [recipient] = await waitFor('the recipient row', async () => {
      const rows = await recipients(BOT_A);
      return rows.length ? rows : false;
    });
    expect(recipient).toMatchObject({ botId: BOT_A, telegramUserId: '7000001', userId: reply.userId, firstName: 'Ann', languageCode: 'ru' });
  });

  it('treats a second /start as already registered and records nothing new', async () => {
    const again = await register({ botId: BOT_A, telegramUserId: '7000001', firstName: 'Ann' });
    expect(again).toMatchObject({ membershipCreated: false, alreadyRegistered: true });
    const store = platform.services.get('users')!.dependencies.store;
    expect(await store.streamVersion(`membership-${BOT_A}-7000001`)).toBe(1);
  });

  it('gives one person the same identity in two bots, with a membership in each', async () => {
    const inA = await register({ botId: BOT_A, telegramUserId: '7000002', firstName: 'Bob' });
    const inB = await register({ botId: BOT_B, telegramUserId: '7000002', firstName: 'Bob' });
    expect(inB.userId).toBe(inA.userId);
    await waitFor('Bob in both bots', async () =>
      (await recipients(BOT_A)).some((r) => r.telegramUserId === '7000002') &&
      (await recipients(BOT_B)).some((r) => r.telegramUserId === '7000002'));
    expect((await recipients(BOT_B)).map((r) => r.telegramUserId)).toEqual(['7000002']);
  });

  it('answers invalid input with typed field errors and writes nothing', async () => {
    const attempt = register({ botId: 'not-a-uuid', telegramUserId: '-5', firstName: '' });
    await expect(attempt).rejects.toBeInstanceOf(RpcCallError);
    const error = (await attempt.catch((e: unknown) => e)) as RpcCallError;
    expect(error.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['botId', 'firstName', 'telegramUserId']);
    const { events } = await platform.services.get('users')!.dependencies.store.readAll({ limit: 1_000 });
    expect(events.every((e) => e.metadata.botId === BOT_A || e.metadata.botId === BOT_B)).toBe(true);
  });

  it('refuses fields the contract does not have', async () => {
    const request = { botId: BOT_A, telegramUserId: '7000003', firstName: 'Eve', role: 'owner' } as RegisterUserRequestJson;
    await expect(register(request)).rejects.toMatchObject({ code: 'VALIDATION.FAILED', fields: { role: [expect.stringContaining('should not exist')] } });
  });
});
