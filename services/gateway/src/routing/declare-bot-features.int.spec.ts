import { PostgresEventStore, createServiceOrm, eventStoreMigrations } from '@botplatform/event-store';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { BOT_FEATURES_STREAM } from './bot-features.decider.js';
import { DeclareBotFeaturesUseCase } from './declare-bot-features.use-case.js';
import { GatewayRoutingTable } from './gateway-routing-table.js';
import { FeatureClashError } from './routing.errors.js';

const declaration = (service: string, command: string) => ({ service, commands: [{ command, descriptions: { en: command } }] });

describe('Declaring bot features against the bot-features stream', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('bp_gw_declare');
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'gateway', migrations: eventStoreMigrations });
    store = new PostgresEventStore(orm.em, { schema: 'gateway' });
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  it('keeps every one of many services declaring at once (each append retried on the version it lost to)', async () => {
    const routing = new GatewayRoutingTable(store, { refreshIntervalMs: 0 });
    const useCase = new DeclareBotFeaturesUseCase(store, routing);
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => useCase.execute({ declaration: declaration(`svc${i}`, `cmd${i}`) })));
    expect(replies.every((reply) => reply.changed)).toBe(true);
    const { version } = await store.readStream(BOT_FEATURES_STREAM);
    expect(version).toBe(8);
    expect(routing.version).toBe(8);
    expect(
      routing
        .current()
        .commands()
        .map((command) => command.command),
    ).toEqual(Array.from({ length: 8 }, (_, i) => `cmd${i}`));
  });

  it('lets exactly one of two services racing for a command have it', async () => {
    const useCase = new DeclareBotFeaturesUseCase(store, new GatewayRoutingTable(store, { refreshIntervalMs: 0 }));
    const results = await Promise.allSettled([
      useCase.execute({ declaration: declaration('left', 'race') }),
      useCase.execute({ declaration: declaration('right', 'race') }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(FeatureClashError);
  });

  it('answers an unchanged declaration without appending, and a fresh table loads everything from the stream', async () => {
    const routing = new GatewayRoutingTable(store, { refreshIntervalMs: 0 });
    const useCase = new DeclareBotFeaturesUseCase(store, routing);
    const before = (await store.readStream(BOT_FEATURES_STREAM)).version;
    expect(await useCase.execute({ declaration: declaration('svc0', 'cmd0') })).toEqual({ changed: false, version: String(before) });
    expect((await store.readStream(BOT_FEATURES_STREAM)).version).toBe(before);

    const restarted = new GatewayRoutingTable(store, { refreshIntervalMs: 0 });
    await restarted.load();
    expect(restarted.version).toBe(before);
    expect(restarted.current().command('race')).toBeDefined();
    expect(restarted.current().command('cmd7')).toEqual({ service: 'svc7', featureFlag: '' });
  });

  it('catches up with declarations another replica took, when it reads the stream again', async () => {
    const replica = new GatewayRoutingTable(store, { refreshIntervalMs: 50 });
    await replica.load();
    const changed: number[] = [];
    replica.onChange(() => changed.push(replica.version));
    await new DeclareBotFeaturesUseCase(store, new GatewayRoutingTable(store, { refreshIntervalMs: 0 })).execute({ declaration: declaration('late', 'late') });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(replica.current().command('late')?.service).toBe('late');
      expect(changed).toHaveLength(1);
    } finally {
      await replica.stop();
    }
  });

  it('refuses a malformed declaration with a typed error before touching the stream', async () => {
    const useCase = new DeclareBotFeaturesUseCase(store, new GatewayRoutingTable(store, { refreshIntervalMs: 0 }));
    await expect(useCase.execute({ declaration: { service: 'Bad Name' } })).rejects.toMatchObject({ code: 'BOT.INVALID_DECLARATION' });
    expect((await store.readStream(BOT_FEATURES_STREAM)).events.some((event) => JSON.stringify(event.data).includes('Bad Name'))).toBe(false);
  });
});
