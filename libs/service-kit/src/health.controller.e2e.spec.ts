import { EmbeddedEventBus, InProcessBroker, JetStreamEventBus, type EventBus } from '@botplatform/bus';
import { eventStoreMigrations, runSql } from '@botplatform/event-store';
import { NatsServerProcess, PostgresServerProcess, createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@botplatform/testing';
import { Module } from '@nestjs/common';
import type { ServiceDefinition } from './service-definition.js';
import { startService, type RunningService } from './start-service.js';

@Module({})
class NothingModule {}

/** A service with nothing but what startService gives every service: its ORM, store, bus and health. */
const probeService: ServiceDefinition = {
  name: 'probe',
  schema: 'probe',
  migrations: eventStoreMigrations,
  module: () => ({ module: NothingModule }),
};

interface Health {
  readonly status: number;
  readonly body: { status: string; checks: Record<string, string> };
}

/** GET /health, failing the test (instead of hanging it) when no answer comes within a few seconds. */
async function healthOf(service: RunningService): Promise<Health> {
  const response = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(6_000) });
  return { status: response.status, body: (await response.json()) as Health['body'] };
}

const start = (databaseUrl: string, bus: EventBus) =>
  startService(probeService, { databaseUrl, bus, rpc: { kind: 'in-process', broker: new InProcessBroker() }, httpPort: 0, logger: false });

describe('GET /health', () => {
  describe('on a database that stops answering', () => {
    let postgres: PostgresServerProcess;
    let bus: EmbeddedEventBus;
    let service: RunningService;

    beforeAll(async () => {
      postgres = await PostgresServerProcess.start();
      bus = new EmbeddedEventBus();
      service = await start(postgres.url, bus);
    });

    afterAll(async () => {
      await service?.close();
      await bus?.close();
      await postgres?.dispose();
    });

    /** Opens `count` transactions that each hold a pooled connection until `finish` is called. */
    async function holdConnections(count: number) {
      let finish!: () => void;
      const mayFinish = new Promise<void>((resolve) => (finish = resolve));
      let holding = 0;
      const transactions = Array.from({ length: count }, () =>
        service.dependencies.orm.em.fork().transactional(async (em) => {
          await runSql(em, 'SELECT 1');
          holding++;
          await mayFinish;
          await runSql(em, 'SELECT 2');
        }),
      );
      const settled = Promise.allSettled(transactions);
      await waitFor(`${count} transactions holding a connection each`, () => holding === count);
      return {
        finish: async () => {
          finish();
          return settled;
        },
      };
    }

    it('answers 200 with the database, bus and relay states', async () => {
      expect(await healthOf(service)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { database: 'up', bus: 'in-process', relay: 'none' } },
      });
    });

    it('answers 503 instead of hanging while every pooled connection is taken', async () => {
      const holders = await holdConnections(10); // the service's pool size
      try {
        const health = await healthOf(service);
        expect(health.status).toBe(503);
        expect(health.body.checks.database).toMatch(/^down: /);
      } finally {
        await holders.finish();
      }
      expect((await healthOf(service)).status).toBe(200);
    });

    it('answers 503 while PostgreSQL is stopped, and 200 with working queries once it is back', async () => {
      // Every pooled connection is inside a transaction when the server goes: the restart terminates
      // them all there, as a failover does.
      const holders = await holdConnections(10);
      await postgres.stop();
      const outcomes = await holders.finish();
      expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);

      const down = await healthOf(service);
      expect(down.status).toBe(503);
      expect(down.body.checks.database).toMatch(/^down: /);

      await postgres.restart();
      await waitFor('health 200 after the restart', async () => (await healthOf(service)).status === 200, { timeoutMs: 15_000 });
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          service.dependencies.orm.em.fork().transactional(async (em) => (await runSql<{ n: number }>(em, 'SELECT $1::int AS n', [i]))[0].n),
        ),
      );
      expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });
  });

  describe('on a NATS server that stops', () => {
    let nats: NatsServerProcess;
    let database: TestDatabase;
    let bus: JetStreamEventBus;
    let service: RunningService;

    beforeAll(async () => {
      nats = await NatsServerProcess.start();
      database = await createTestDatabase('bp_health_nats');
      bus = await JetStreamEventBus.connect(nats.url, 'health-test', { namespace: uniqueName('health') });
      service = await start(database.url, bus);
    });

    afterAll(async () => {
      await service?.close();
      await bus?.close();
      await nats?.dispose();
      await database?.drop();
    });

    it('answers 503 while the broker is down and 200 once it is back', async () => {
      expect((await healthOf(service)).status).toBe(200);

      await nats.stop();
      const down = await waitFor('health 503 with NATS stopped', async () => {
        const health = await healthOf(service);
        return health.status === 503 && health;
      });
      expect(down.body.checks).toMatchObject({ database: 'up', bus: expect.stringMatching(/^down: disconnected from NATS/) });

      await nats.restart();
      const back = await waitFor(
        'health 200 with NATS back',
        async () => {
          const health = await healthOf(service);
          return health.status === 200 && health;
        },
        { timeoutMs: 15_000 },
      );
      expect(back.body.checks.bus).toMatch(/^up, rtt \d+ ms$/);
    });
  });
});
