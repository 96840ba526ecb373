import { EmbeddedEventBus, InProcessBroker, busMigrations, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { isEventOf, subjectOf, type DecodedEvent } from '@botplatform/contracts';
import { createServiceOrm, type RecordedEvent } from '@botplatform/event-store';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { DescMessage } from '@bufbuild/protobuf';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Clock } from '../clock.js';
import { createRpcClient } from '../rpc-transport.js';
import type { ServiceDefinition } from '../service-definition.js';
import { startService, type RunningService } from '../start-service.js';
import { TestClock } from './test-clock.js';

/** One service running for one test file: its own database, the in-process bus and RPC, a test clock. */
export interface ServiceUnderTest {
  readonly service: RunningService;
  readonly clock: TestClock;
  /** `rpc.call`: one RPC its contract declares, typed by it. */
  readonly call: RpcClient['call'];
  /** The typed error a call fails with (and a test failure if it succeeds). */
  failure(call: Promise<unknown>): Promise<RpcCallError>;
  /** The events of one stream, oldest first. */
  streamEvents(streamId: string): Promise<readonly RecordedEvent[]>;
  /**
   * How many events the service stored in all. Counted in the table: the store's `readAll` stops below
   * the oldest transaction open anywhere on the server, which other test files' transactions can hold back.
   */
  countEvents(): Promise<number>;
  /** The public events of `schema` another service received so far (those listed in `observe`). */
  published<S extends DescMessage>(schema: S): DecodedEvent<S>[];
  close(): Promise<void>;
}

export interface ServiceUnderTestOptions {
  /** Prefix of the test database's name. */
  readonly prefix: string;
  /** Where the test clock starts; the service reads its time from it (its module provides `Clock`). */
  readonly start: Date;
  /** The public events a consumer in another schema records, as another service would receive them. */
  readonly observe: readonly DescMessage[];
}

/** Starts `definition` as `startService` does in production, with a test clock and an observer of its public events. */
export async function startServiceUnderTest(definition: ServiceDefinition, options: ServiceUnderTestOptions): Promise<ServiceUnderTest> {
  const clock = new TestClock(options.start);
  const withTestClock: ServiceDefinition = {
    ...definition,
    // Providers of the dynamic module come after the module's own, so this Clock replaces SystemClock.
    module: (dependencies) => {
      const module = definition.module(dependencies);
      return { ...module, providers: [...(module.providers ?? []), { provide: Clock, useValue: clock }] };
    },
  };
  let database: TestDatabase | undefined;
  let bus: EmbeddedEventBus | undefined;
  let service: RunningService | undefined;
  let observerOrm: MikroORM | undefined;
  let rpc: RpcClient | undefined;
  const received: DecodedEvent<DescMessage>[] = [];
  try {
    database = await createTestDatabase(options.prefix);
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    service = await startService(withTestClock, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    rpc = createRpcClient({ kind: 'in-process', broker });
    // Another service's view of the public events, in a schema of its own.
    observerOrm = await createServiceOrm({ clientUrl: database.url, schema: 'observer', migrations: busMigrations });
    await bus.consume(
      {
        name: `observer--${definition.name}`,
        source: definition.name,
        subjects: options.observe.map(subjectOf),
        handle: async (event) => {
          received.push(event as DecodedEvent<DescMessage>);
        },
      },
      observerOrm,
    );
    const running = service;
    const client = rpc;
    const closing = { bus, observerOrm, database };
    return {
      service: running,
      clock,
      call: (method, request) => client.call(method, request),
      failure: (promise) =>
        promise.then(
          () => {
            throw new Error('expected the call to fail');
          },
          (error: unknown) => error as RpcCallError,
        ),
      streamEvents: async (streamId) => (await running.dependencies.store.readStream(streamId)).events,
      countEvents: async () => {
        const [row] = await running.dependencies.orm.em
          .getConnection()
          .execute<{ count: string }[]>(`SELECT count(*)::text AS count FROM "${definition.schema}".event_store_events`);
        return Number(row.count);
      },
      published: <S extends DescMessage>(schema: S) => received.filter((e): e is DecodedEvent<S> => isEventOf(e, schema)),
      close: async () => {
        await client.close();
        await closing.bus.close();
        await running.close();
        await closing.observerOrm.close(true);
        await closing.database.drop();
      },
    };
  } catch (error) {
    await rpc?.close();
    await bus?.close();
    await service?.close();
    await observerOrm?.close(true);
    await database?.drop();
    throw error;
  }
}
