import { PostgresEventStore, createServiceOrm, eventStoreMigrations, runSql, type AppendSubscription, type StoreCallOptions } from '@botplatform/event-store';
import { testServers, uniqueName, waitFor } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { BOT_ID, BusTestKit, testProducerMapper } from '../testing/bus-test-kit.js';
import type { EventRelay } from './event-relay.js';
import { JetStreamEventBus } from './jetstream-event-bus.js';
import { deleteNamespaceStreams } from './testing-streams.js';

/** Far beyond any test's timeout: a relay that publishes at all after its first rounds was woken, not polled. */
const NEVER_POLLS_MS = 3_600_000;

/**
 * The relay in one process, the writers in another: here another ORM and store on the same schema,
 * whose appends the relay's store instance never sees in-process.
 */
describe('the relay woken by PostgreSQL NOTIFY', () => {
  let kit: BusTestKit;
  let bus: JetStreamEventBus;
  let writerOrm: MikroORM;
  let writer: PostgresEventStore;
  let relay: EventRelay;

  beforeEach(async () => {
    kit = await BusTestKit.create();
    writerOrm = await createServiceOrm({ clientUrl: kit.database.url, schema: 'producer', migrations: eventStoreMigrations });
    writer = new PostgresEventStore(writerOrm.em, { schema: 'producer' });
    bus = await JetStreamEventBus.connect(testServers.natsUrl, 'bus-notify', {
      namespace: uniqueName('n'),
      relay: { pollIntervalMs: NEVER_POLLS_MS, listenReconnectDelayMs: 50 },
    });
    relay = await bus.publishFrom({ service: 'users', store: kit.store, toPublic: testProducerMapper });
  });

  afterEach(async () => {
    await bus.close();
    await deleteNamespaceStreams(testServers.natsUrl, bus.naming);
    await writerOrm.close(true);
    await kit.close();
  });

  const appendElsewhere = (telegramUserId: number) =>
    writer.append(`user-${randomUUID()}`, 'no_stream', [{ type: 'UserRegistered', data: { telegramUserId, firstName: 'elsewhere' } }], {
      botId: BOT_ID,
      correlationId: randomUUID(),
      causationId: null,
      actor: { kind: 'system', id: 'test' },
      occurredAt: new Date(),
    });

  /**
   * Appends one event after the other, each once the previous one was published. The relay's start
   * and its first LISTEN each buy one round; every round after those was woken by a notification,
   * since the poll never comes within the test. Three in a row cannot all ride on those two.
   */
  async function publishesThreeInARow(): Promise<void> {
    const before = relay.published;
    for (let i = 1; i <= 3; i++) {
      await appendElsewhere(i);
      await waitFor(`event ${i} published`, () => relay.published >= before + i);
    }
    const { events } = await kit.store.readAll({ limit: 100 });
    expect(events.slice(-3).map((e) => (e.data as { telegramUserId: number }).telegramUserId)).toEqual([1, 2, 3]);
  }

  it('publishes appends made through another connection without waiting for the poll', async () => {
    const listening = (await relay.appendNotifications)!;
    await waitFor('the LISTEN', () => listening.listening);
    await publishesThreeInARow();
    expect(relay.published).toBe(3);
  });

  const appendHere = (telegramUserId: number, options: StoreCallOptions = {}) =>
    kit.store.append(
      `user-${randomUUID()}`,
      'no_stream',
      [{ type: 'UserRegistered', data: { telegramUserId, firstName: 'here' } }],
      { botId: BOT_ID, correlationId: randomUUID(), causationId: null, actor: { kind: 'system', id: 'test' }, occurredAt: new Date() },
      options,
    );

  it("publishes an append inside its own process's transaction when that commits, woken by the commit's notification", async () => {
    const listening = (await relay.appendNotifications)!;
    await waitFor('the LISTEN', () => listening.listening);
    await kit.store.transaction(async (em) => {
      await appendHere(21, { em });
      // Told in process before the commit: the relay must not spend that wake and then sleep past the commit.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(relay.published).toBe(0);
    });
    await waitFor('the committed event published', () => relay.published === 1);
  });

  it('takes one round per append that was its own transaction, though told twice (in process and by its notification)', async () => {
    const listening = (await relay.appendNotifications)!;
    await waitFor('the LISTEN', () => listening.listening);
    let rounds = 0;
    const advance = kit.store.advanceCheckpoint.bind(kit.store);
    kit.store.advanceCheckpoint = (...args: Parameters<typeof advance>) => {
      rounds++;
      return advance(...args);
    };
    for (let i = 1; i <= 3; i++) {
      await appendHere(30 + i);
      await waitFor(`event ${i} published`, () => relay.published === i);
    }
    // Time for a second round per append to come, if the notifications still woke it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rounds).toBe(3);
    expect(relay.published).toBe(3);
  });

  it('listens again after its LISTEN connection is killed, and still publishes', async () => {
    const listening: AppendSubscription = (await relay.appendNotifications)!;
    await waitFor('the LISTEN', () => listening.listening);
    const [killed] = await runSql<{ killed: boolean }>(
      kit.producerOrm.em,
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'event-store-listen:producer'`,
    );
    expect(killed?.killed).toBe(true);
    await waitFor('the LISTEN to be back', () => listening.listens === 2 && listening.listening);
    await publishesThreeInARow();
  });

  it('keeps polling while an older open transaction holds a notified event back, and publishes it once that ends', async () => {
    const listening = (await relay.appendNotifications)!;
    await waitFor('the LISTEN', () => listening.listening);
    // An older transaction, open elsewhere with an id: the event committed after it stays behind the horizon.
    const older = await kit.producerOrm.em.getConnection().getNativeClient();
    const holder = await (older as unknown as { connect(): Promise<{ query(sql: string): Promise<unknown>; release(): void }> }).connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      await appendElsewhere(7);
      // Notified, read, held back: the relay sees the lag, and publishes nothing yet.
      await waitFor('the relay to report its lag', () => relay.lagSeconds > 0);
      expect(relay.published).toBe(0);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    // No notification comes when the older transaction ends; the held-back poll finds the event.
    await waitFor('the held-back event published', () => relay.published === 1);
    await waitFor('the lag back to 0', () => relay.lagSeconds === 0);
  });

  it('publishes nothing of a rolled-back append, and the committed ones after it in order', async () => {
    const listening = (await relay.appendNotifications)!;
    await waitFor('the LISTEN', () => listening.listening);
    await writer
      .transaction(async (em) => {
        await writer.append(
          'user-rolled-back',
          'no_stream',
          [{ type: 'UserRegistered', data: { telegramUserId: 99, firstName: 'x' } }],
          {
            botId: BOT_ID,
            correlationId: randomUUID(),
            causationId: null,
            actor: { kind: 'system', id: 'test' },
            occurredAt: new Date(),
          },
          { em },
        );
        throw new Error('rolled back');
      })
      .catch(() => {});
    await publishesThreeInARow();
    expect(relay.published).toBe(3);
  });
});
