import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import {
  CommandHandler,
  EventVersioning,
  InvalidAppendError,
  PostgresEventStore,
  START,
  UnknownEventVersionError,
  WrongExpectedVersionError,
  createServiceOrm,
  eventStoreMigrations,
  runSql,
  type Decider,
  type EventContext,
  type InlineProjection,
  type RecordedEvent,
} from './index.js';

type CounterEvent = { type: 'Incremented'; data: { by: number } };
type CounterCommand = { type: 'Increment'; by: number; limit: number };
class LimitReached extends Error {}
const counter: Decider<number, CounterCommand, CounterEvent> = {
  initialState: () => 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command, total) => {
    if (total + command.by > command.limit) throw new LimitReached();
    return [{ type: 'Incremented', data: { by: command.by } }];
  },
};

const context = (overrides: Partial<EventContext> = {}): EventContext => ({
  botId: 'bot-1',
  correlationId: 'corr-1',
  causationId: null,
  actor: { kind: 'user', id: '42' },
  occurredAt: new Date('2026-11-23T10:00:00.000Z'),
  ...overrides,
});

describe('PostgresEventStore', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('bp_event_store');
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'svc', migrations: eventStoreMigrations });
    store = new PostgresEventStore(orm.em, { schema: 'svc' });
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  describe('append and readStream', () => {
    it('stores events with their envelope and reads them back in stream order', async () => {
      const result = await store.append(
        'counter-a',
        'no_stream',
        [
          { type: 'Incremented', data: { by: 1 } },
          { type: 'Incremented', data: { by: 2 } },
        ],
        context({ causationId: 'cause-9', actor: { kind: 'admin', id: '7' } }),
      );
      expect(result.nextExpectedVersion).toBe(2);

      const { version, events } = await store.readStream<CounterEvent>('counter-a');
      expect(version).toBe(2);
      expect(events.map((e) => [e.type, e.data.by, e.metadata.streamPosition])).toEqual([
        ['Incremented', 1, 1],
        ['Incremented', 2, 2],
      ]);
      expect(events[0].metadata).toMatchObject({
        botId: 'bot-1',
        correlationId: 'corr-1',
        causationId: 'cause-9',
        actor: { kind: 'admin', id: '7' },
        occurredAt: new Date('2026-11-23T10:00:00.000Z'),
        schemaVersion: 1,
      });
      expect(events[0].metadata.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(events[0].metadata.eventId).not.toBe(events[1].metadata.eventId);
    });

    it('reads one event by its id, and nothing for an unknown id', async () => {
      const { events } = await store.append('counter-e', 'no_stream', [{ type: 'Incremented', data: { by: 7 } }], context());
      const found = await store.readEvent<CounterEvent>(events[0].metadata.eventId);
      expect(found).toMatchObject({ type: 'Incremented', data: { by: 7 }, metadata: { streamId: 'counter-e', streamPosition: 1 } });
      expect(await store.readEvent('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });

    it('refuses an append at a stale version and writes nothing of the batch', async () => {
      await store.append('counter-b', 'no_stream', [{ type: 'Incremented', data: { by: 1 } }], context());
      const attempt = store.append(
        'counter-b',
        'no_stream',
        [
          { type: 'Incremented', data: { by: 5 } },
          { type: 'Incremented', data: { by: 6 } },
        ],
        context(),
      );
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(attempt).rejects.toMatchObject({ code: 'EVENT_STORE.WRONG_EXPECTED_VERSION', actualVersion: 1 });
      expect((await store.readStream('counter-b')).version).toBe(1);
    });

    it('refuses an expected version ahead of the stream instead of leaving a gap', async () => {
      await store.append('counter-c', 'no_stream', [{ type: 'Incremented', data: { by: 1 } }], context());
      await expect(store.append('counter-c', 3, [{ type: 'Incremented', data: { by: 1 } }], context())).rejects.toMatchObject({
        expectedVersion: 3,
        actualVersion: 1,
      });
    });

    it('rejects invalid input with a typed error before writing', async () => {
      await expect(store.append('counter-d', 'any', [], context())).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append('counter-d', 'any', [{ type: 'Incremented', data: { by: 1 } }], context({ botId: '' }))).rejects.toThrow('tenant');
      await expect(store.append('counter-d', 'any', [{ type: 'X', data: [] as unknown as object }], context())).rejects.toBeInstanceOf(InvalidAppendError);
      expect((await store.readStream('counter-d')).version).toBe(0);
    });
  });

  describe('new streams in one statement', () => {
    it('starts every stream with its own events and context, in the order given, in one transaction', async () => {
      const recorded = await store.appendToNewStreams<CounterEvent>([
        { streamId: 'many-a', events: [{ type: 'Incremented', data: { by: 1 } }], context: context({ correlationId: 'corr-a' }) },
        {
          streamId: 'many-b',
          events: [
            { type: 'Incremented', data: { by: 2 } },
            { type: 'Incremented', data: { by: 3 } },
          ],
          context: context({ correlationId: 'corr-b', causationId: 'cause-b', actor: { kind: 'service', id: 'x' } }),
        },
      ]);
      expect(recorded.map((e) => [e.metadata.streamId, e.metadata.streamPosition, e.data.by, e.metadata.correlationId])).toEqual([
        ['many-a', 1, 1, 'corr-a'],
        ['many-b', 1, 2, 'corr-b'],
        ['many-b', 2, 3, 'corr-b'],
      ]);
      expect(new Set(recorded.map((e) => e.metadata.transactionId)).size).toBe(1);
      expect(Number(recorded[1].metadata.globalPosition)).toBeGreaterThan(Number(recorded[0].metadata.globalPosition));
      const b = await store.readStream<CounterEvent>('many-b');
      expect(b.version).toBe(2);
      expect(b.events[0].metadata).toMatchObject({ causationId: 'cause-b', actor: { kind: 'service', id: 'x' }, occurredAt: context().occurredAt });
      expect(await store.appendToNewStreams([])).toEqual([]);
    });

    it('writes none of the streams when one exists already, and names it', async () => {
      await store.append('many-c', 'no_stream', [{ type: 'Incremented', data: { by: 1 } }], context());
      const attempt = store.appendToNewStreams([
        { streamId: 'many-d', events: [{ type: 'Incremented', data: { by: 1 } }], context: context() },
        { streamId: 'many-c', events: [{ type: 'Incremented', data: { by: 1 } }], context: context() },
      ]);
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(attempt).rejects.toMatchObject({ streamId: 'many-c' });
      expect((await store.readStream('many-d')).version).toBe(0);
      expect((await store.readStream('many-c')).version).toBe(1);
    });

    it('refuses the same stream twice and invalid input before writing', async () => {
      const one = { streamId: 'many-e', events: [{ type: 'Incremented', data: { by: 1 } }], context: context() };
      await expect(store.appendToNewStreams([one, one])).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.appendToNewStreams([{ ...one, context: context({ correlationId: '' }) }])).rejects.toBeInstanceOf(InvalidAppendError);
      expect((await store.readStream('many-e')).version).toBe(0);
    });
  });

  describe('several streams in one statement, each at its expected version', () => {
    const one = (by: number) => [{ type: 'Incremented' as const, data: { by } }];

    it('appends to new and existing streams with one context, in the order given, in one transaction', async () => {
      await store.append('streams-b', 'no_stream', one(1), context());
      const recorded = await store.appendStreams<CounterEvent>(
        [
          { streamId: 'streams-a', expectedVersion: 'no_stream', events: [...one(2), ...one(3)] },
          { streamId: 'streams-b', expectedVersion: 1, events: one(4) },
          { streamId: 'streams-c', expectedVersion: 'any', events: one(5) },
        ],
        context({ correlationId: 'corr-s' }),
      );
      expect(recorded.map((e) => [e.metadata.streamId, e.metadata.streamPosition, e.data.by, e.metadata.correlationId])).toEqual([
        ['streams-a', 1, 2, 'corr-s'],
        ['streams-a', 2, 3, 'corr-s'],
        ['streams-b', 2, 4, 'corr-s'],
        ['streams-c', 1, 5, 'corr-s'],
      ]);
      expect(new Set(recorded.map((e) => e.metadata.transactionId)).size).toBe(1);
      expect((await store.readStream('streams-b')).version).toBe(2);
      expect(await store.appendStreams([], context())).toEqual([]);
    });

    it('writes none of the streams when one is not at its expected version, and names it', async () => {
      await store.append('streams-e', 'no_stream', [...one(1), ...one(1)], context());
      for (const expectedVersion of [1, 'no_stream'] as const) {
        const attempt = store.appendStreams(
          [
            { streamId: 'streams-d', expectedVersion: 'no_stream', events: one(1) },
            { streamId: 'streams-e', expectedVersion, events: one(1) },
          ],
          context(),
        );
        await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(attempt).rejects.toMatchObject({ streamId: 'streams-e', actualVersion: 2 });
      }
      expect((await store.readStream('streams-d')).version).toBe(0);
      expect((await store.readStream('streams-e')).version).toBe(2);
    });

    it('lets exactly one of two racing writers of a stream win, the other writing none of its streams', async () => {
      const write = (other: string) =>
        store.appendStreams(
          [
            { streamId: other, expectedVersion: 'no_stream', events: one(1) },
            { streamId: 'streams-race', expectedVersion: 'no_stream', events: one(1) },
          ],
          context(),
        );
      const results = await Promise.allSettled([write('streams-race-x'), write('streams-race-y')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      expect(lost.reason).toBeInstanceOf(WrongExpectedVersionError);
      const versions = await Promise.all(['streams-race-x', 'streams-race-y', 'streams-race'].map(async (id) => (await store.readStream(id)).version));
      expect(versions.sort()).toEqual([0, 1, 1]);
    });

    it('refuses the same stream twice and invalid input before writing', async () => {
      const stream = { streamId: 'streams-f', expectedVersion: 'no_stream' as const, events: one(1) };
      await expect(store.appendStreams([stream, stream], context())).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.appendStreams([stream], context({ botId: '' }))).rejects.toBeInstanceOf(InvalidAppendError);
      expect((await store.readStream('streams-f')).version).toBe(0);
    });
  });

  describe('two writers on one stream', () => {
    it('lets exactly one win; the other gets the conflict error', async () => {
      const write = (by: number) => store.append('race-1', 'no_stream', [{ type: 'Incremented', data: { by } }], context());
      const results = await Promise.allSettled([write(1), write(2)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(WrongExpectedVersionError);
      expect((await store.readStream('race-1')).events).toHaveLength(1);
    });

    it('the command handler retries the loser on fresh state, and it succeeds', async () => {
      const handler = new CommandHandler(store, counter, { maxAttempts: 20 });
      const results = await Promise.all(Array.from({ length: 8 }, () => handler.handle('race-2', { type: 'Increment', by: 1, limit: 100 }, context())));
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const { events } = await store.readStream<CounterEvent>('race-2');
      expect(events).toHaveLength(8);
    });

    it('re-decides after a conflict, so a limit is never overshot', async () => {
      const handler = new CommandHandler(store, counter, { maxAttempts: 50 });
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => handler.handle('race-3', { type: 'Increment', by: 1, limit: 3 }, context())));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(results.filter((r) => r.status === 'rejected' && (r as PromiseRejectedResult).reason instanceof LimitReached)).toHaveLength(7);
      expect((await store.readStream('race-3')).version).toBe(3);
    });
  });

  describe('inline projections', () => {
    const totals = (failOn?: number): InlineProjection => ({
      name: 'totals',
      apply: async (events, em) => {
        for (const event of events as RecordedEvent<CounterEvent>[]) {
          if (event.data.by === failOn) throw new Error('projection failed');
          await runSql(
            em,
            `INSERT INTO svc.test_totals (stream_id, total) VALUES ($1, $2)
             ON CONFLICT (stream_id) DO UPDATE SET total = svc.test_totals.total + excluded.total`,
            [event.metadata.streamId, event.data.by],
          );
        }
      },
    });
    const totalOf = async (streamId: string) =>
      (await runSql<{ total: number }>(orm.em.fork(), 'SELECT total FROM svc.test_totals WHERE stream_id = $1', [streamId]))[0]?.total;

    beforeAll(async () => {
      await orm.em.getConnection().execute('CREATE TABLE svc.test_totals (stream_id text PRIMARY KEY, total integer NOT NULL)');
    });

    it('updates the read model in the transaction of the append', async () => {
      const handler = new CommandHandler(store, counter, { projections: [totals()] });
      await handler.handle('projected-1', { type: 'Increment', by: 2, limit: 10 }, context());
      await handler.handle('projected-1', { type: 'Increment', by: 3, limit: 10 }, context());
      expect(await totalOf('projected-1')).toBe(5);
    });

    it('writes neither the events nor the read model when the projection fails', async () => {
      const handler = new CommandHandler(store, counter, { projections: [totals(7)] });
      await handler.handle('projected-2', { type: 'Increment', by: 1, limit: 10 }, context());
      await expect(handler.handle('projected-2', { type: 'Increment', by: 7, limit: 10 }, context())).rejects.toThrow('projection failed');
      expect((await store.readStream('projected-2')).version).toBe(1);
      expect(await totalOf('projected-2')).toBe(1);
    });

    it('counts every winner once when racing writers retry', async () => {
      const handler = new CommandHandler(store, counter, { projections: [totals()], maxAttempts: 50 });
      await Promise.all(Array.from({ length: 6 }, () => handler.handle('projected-3', { type: 'Increment', by: 1, limit: 100 }, context())));
      expect(await totalOf('projected-3')).toBe(6);
      expect((await store.readStream('projected-3')).version).toBe(6);
    });
  });

  describe('commands on several streams together', () => {
    it('reads unknown and known streams in one statement', async () => {
      await store.append('together-read-1', 'no_stream', [{ type: 'Incremented', data: { by: 2 } }], context());
      const streams = await store.readStreams<CounterEvent>(['together-read-1', 'together-read-none']);
      expect(streams.get('together-read-1')).toMatchObject({ version: 1, events: [{ data: { by: 2 } }] });
      expect(streams.get('together-read-none')).toEqual({ version: 0, events: [] });
    });

    it('appends to every stream in one transaction, each with the version its command read', async () => {
      const handler = new CommandHandler(store, counter);
      await handler.handle('together-1b', { type: 'Increment', by: 1, limit: 10 }, context());
      const [a, b] = await CommandHandler.handleTogether(
        [handler.on('together-1a', { type: 'Increment', by: 2, limit: 10 }), handler.on('together-1b', { type: 'Increment', by: 3, limit: 10 })],
        context(),
      );
      expect([a.state, a.version, b.state, b.version]).toEqual([2, 1, 4, 2]);
      expect(b.newEvents.map((e) => e.metadata.streamPosition)).toEqual([2]);
    });

    it('leaves a stream whose command decides nothing alone', async () => {
      const handler = new CommandHandler(store, counter);
      const atMostOnce: Decider<number, CounterCommand, CounterEvent> = { ...counter, decide: (c, total) => (total ? [] : counter.decide(c, total)) };
      const once = new CommandHandler(store, atMostOnce);
      await once.handle('together-5a', { type: 'Increment', by: 1, limit: 10 }, context());
      const [a, b] = await CommandHandler.handleTogether(
        [once.on('together-5a', { type: 'Increment', by: 1, limit: 10 }), handler.on('together-5b', { type: 'Increment', by: 1, limit: 10 })],
        context(),
      );
      expect([a.version, a.newEvents.length, b.version, b.newEvents.length]).toEqual([1, 0, 1, 1]);
      expect((await store.readStream('together-5a')).version).toBe(1);
    });

    it('writes no stream when a later command fails in its decision', async () => {
      const handler = new CommandHandler(store, counter);
      await expect(
        CommandHandler.handleTogether(
          [handler.on('together-2a', { type: 'Increment', by: 1, limit: 10 }), handler.on('together-2b', { type: 'Increment', by: 11, limit: 10 })],
          context(),
        ),
      ).rejects.toBeInstanceOf(LimitReached);
      expect((await store.readStream('together-2a')).version).toBe(0);
    });

    it('rolls every append and read model back when a projection fails, and retries all streams after a conflict', async () => {
      await orm.em.getConnection().execute('CREATE TABLE svc.test_together (stream_id text PRIMARY KEY, total integer NOT NULL)');
      const totals: InlineProjection = {
        name: 'together',
        apply: async (events, em) => {
          for (const event of events as RecordedEvent<CounterEvent>[]) {
            if (event.data.by === 7) throw new Error('projection failed');
            await runSql(
              em,
              `INSERT INTO svc.test_together (stream_id, total) VALUES ($1, $2)
               ON CONFLICT (stream_id) DO UPDATE SET total = svc.test_together.total + excluded.total`,
              [event.metadata.streamId, event.data.by],
            );
          }
        },
      };
      const handler = new CommandHandler(store, counter, { projections: [totals], maxAttempts: 50 });
      const both = (by: number) =>
        CommandHandler.handleTogether(
          [handler.on('together-3a', { type: 'Increment', by, limit: 100 }), handler.on('together-3b', { type: 'Increment', by, limit: 100 })],
          context(),
        );
      await expect(both(7)).rejects.toThrow('projection failed');
      await Promise.all(Array.from({ length: 6 }, () => both(1)));
      const rows = await runSql<{ stream_id: string; total: number }>(orm.em.fork(), 'SELECT stream_id, total FROM svc.test_together ORDER BY stream_id');
      expect(rows).toEqual([
        { stream_id: 'together-3a', total: 6 },
        { stream_id: 'together-3b', total: 6 },
      ]);
      expect((await store.readStream('together-3a')).version).toBe(6);
      expect((await store.readStream('together-3b')).version).toBe(6);
    });

    it('refuses the same stream twice and handlers that lock their stream', async () => {
      const handler = new CommandHandler(store, counter);
      const locking = new CommandHandler(store, counter, { lockStream: true });
      const command = { type: 'Increment', by: 1, limit: 10 } as const;
      await expect(CommandHandler.handleTogether([handler.on('t-4', command), handler.on('t-4', command)], context())).rejects.toThrow(InvalidAppendError);
      await expect(CommandHandler.handleTogether([locking.on('t-5', command)], context())).rejects.toThrow(InvalidAppendError);
    });
  });

  describe('locked streams', () => {
    it('queues 20 concurrent writers of one stream: all succeed with one attempt each, in one version sequence', async () => {
      // One attempt only: with the lock no writer can lose the version race, so none needs a retry.
      const handler = new CommandHandler(store, counter, { lockStream: true, maxAttempts: 1 });
      const results = await Promise.all(Array.from({ length: 20 }, () => handler.handle('locked-1', { type: 'Increment', by: 1, limit: 100 }, context())));
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('lets exactly the limit through when 20 writers race for 5 units', async () => {
      const handler = new CommandHandler(store, counter, { lockStream: true, maxAttempts: 1 });
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => handler.handle('locked-2', { type: 'Increment', by: 1, limit: 5 }, context())));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof LimitReached)).toHaveLength(15);
      expect((await store.readStream('locked-2')).version).toBe(5);
    });

    it('refuses to lock outside a transaction', async () => {
      await expect(store.lockStream('x', { em: orm.em.fork() })).rejects.toThrow(InvalidAppendError);
    });
  });

  describe('readAll', () => {
    it('never skips an event whose transaction commits after a later-numbered one', async () => {
      const { checkpoint: start } = await drain(store, START);
      let releaseSlowWriter!: () => void;
      const slowWriterMayCommit = new Promise<void>((resolve) => (releaseSlowWriter = resolve));
      let slowWriterAppended!: () => void;
      const slowWriterHasAppended = new Promise<void>((resolve) => (slowWriterAppended = resolve));

      // The slow writer takes the lower global position but commits last.
      const slowWriter = orm.em.fork().transactional(async (em) => {
        await store.append('late-1', 'no_stream', [{ type: 'Incremented', data: { by: 1 } }], context(), { em });
        slowWriterAppended();
        await slowWriterMayCommit;
      });
      await slowWriterHasAppended;
      await store.append('early-1', 'no_stream', [{ type: 'Incremented', data: { by: 2 } }], context());

      let whileOpen;
      try {
        whileOpen = await store.readAll({ after: start });
      } finally {
        releaseSlowWriter();
        await slowWriter;
      }
      expect(whileOpen.events).toHaveLength(0);
      // early-1 is committed but behind the open transaction: the read says so.
      expect(whileOpen.following).toMatchObject({ heldBack: true });
      const afterCommit = await drain(store, whileOpen.checkpoint);
      expect(afterCommit.events.map((e) => e.metadata.streamId)).toEqual(['late-1', 'early-1']);
    });

    it('pages past position 99 without skipping or repeating (positions compare as numbers)', async () => {
      const { checkpoint: start } = await drain(store, START);
      const many = Array.from({ length: 150 }, (_, i) => ({ type: 'Incremented' as const, data: { by: i } }));
      const { events: appended } = await store.append('paging-1', 'no_stream', many, context());
      const read = await drain(store, start);
      expect(read.events.map((e) => e.metadata.eventId)).toEqual(appended.map((e) => e.metadata.eventId));
    });

    it('says what follows its page: more to read, or nothing (caught up)', async () => {
      const { events: appended } = await store.append(
        'following-1',
        'no_stream',
        [1, 2, 3].map((by) => ({ type: 'Incremented' as const, data: { by } })),
        context(),
      );
      // Just before the append's first event: its three share one transaction id, nothing else does.
      const { transactionId, globalPosition } = appended[0].metadata;
      const start = { transactionId, globalPosition: String(BigInt(globalPosition) - 1n) };
      // Another database's open transaction may hold the page back for a moment (the horizon is the server's).
      const firstTwo = await waitFor('the page readable', async () => {
        const page = await store.readAll({ after: start, limit: 2 });
        return page.events.length > 0 && page;
      });
      expect(firstTwo.events).toHaveLength(2);
      expect(firstTwo.following).toEqual({ recordedAt: appended[2].metadata.recordedAt, heldBack: false });
      const rest = await store.readAll({ after: firstTwo.checkpoint, limit: 2 });
      expect(rest.events.map((e) => e.metadata.eventId)).toEqual([appended[2].metadata.eventId]);
      expect(rest.following).toBeUndefined();
    });

    it('continues from a saved checkpoint without repeating events', async () => {
      const before = await drain(store, START);
      await store.saveCheckpoint('reader-1', before.checkpoint);
      await store.append('cp-1', 'no_stream', [{ type: 'Incremented', data: { by: 1 } }], context());
      const next = await drain(store, await store.loadCheckpoint('reader-1'));
      expect(next.events.map((e) => e.metadata.streamId)).toEqual(['cp-1']);
      expect(await store.loadCheckpoint('never-saved')).toEqual(START);
    });
  });

  describe('advanceCheckpoint', () => {
    it('gives two readers of one checkpoint turns: the second works from what the first committed', async () => {
      let firstMayFinish!: () => void;
      const firstHolds = new Promise<void>((resolve) => (firstMayFinish = resolve));
      let firstStarted!: () => void;
      const firstIsWorking = new Promise<void>((resolve) => (firstStarted = resolve));
      const seen: string[] = [];
      const first = store.advanceCheckpoint('turns-1', async (current) => {
        seen.push(`first from ${current.globalPosition}`);
        firstStarted();
        await firstHolds;
        return { transactionId: '10', globalPosition: '5' };
      });
      await firstIsWorking;
      const second = store.advanceCheckpoint('turns-1', async (current) => {
        seen.push(`second from ${current.globalPosition}`);
        return { transactionId: '11', globalPosition: '6' };
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen.push('first finishes');
      firstMayFinish();
      await Promise.all([first, second]);
      expect(seen).toEqual(['first from 0', 'first finishes', 'second from 5']);
      expect(await store.loadCheckpoint('turns-1')).toEqual({ transactionId: '11', globalPosition: '6' });
    });

    it('with readPage, gives the work the page readAll would read after the saved checkpoint, first round included', async () => {
      const pages: { streams: string[]; after: string; following: unknown }[] = [];
      const start = (await drain(store, START)).checkpoint;
      await store.saveCheckpoint('paged-0', start);
      await store.append('paged-1', 'no_stream', [{ type: 'Incremented', data: { by: 1 } }], context());
      await store.append('paged-2', 'no_stream', [{ type: 'Incremented', data: { by: 2 } }], context());
      await store.append('paged-3', 'no_stream', [{ type: 'Incremented', data: { by: 3 } }], context());
      const round = (name: string) =>
        store.advanceCheckpoint(
          name,
          async (current, page) => {
            const expected = await store.readAll({ after: current, limit: 2 });
            expect(page).toEqual(expected);
            pages.push({ streams: page!.events.map((e) => e.metadata.streamId), after: current.globalPosition, following: page!.following?.heldBack });
            return page!.events.length ? page!.checkpoint : undefined;
          },
          { readPage: 2 },
        );
      // A saved checkpoint: two events, then the third, then none (the work leaves the checkpoint).
      await round('paged-0');
      await round('paged-0');
      await round('paged-0');
      expect(pages.map((p) => p.streams)).toEqual([['paged-1', 'paged-2'], ['paged-3'], []]);
      expect(pages[0].following).toBe(false);
      expect(await store.loadCheckpoint('paged-0')).toEqual((await drain(store, START)).checkpoint);
      // No saved checkpoint yet: the page starts at the beginning of the store.
      pages.length = 0;
      await round('paged-new');
      expect(pages[0].after).toBe('0');
      expect(pages[0].streams).toHaveLength(2);
      await expect(store.advanceCheckpoint('paged-0', async () => undefined, { readPage: 0 })).rejects.toThrow(/page size/);
    });

    it('holds no transaction id while its work runs, and never moves the checkpoint backwards', async () => {
      await store.advanceCheckpoint('horizon-1', async () => ({ transactionId: '20', globalPosition: '9' }));
      let withIds: number | undefined;
      await store.advanceCheckpoint('horizon-1', async () => {
        // A transaction id held here would hold back every reader on the server (ADR 0002).
        [{ n: withIds }] = await runSql<{ n: number }>(
          orm.em,
          `SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL`,
        );
        return { transactionId: '20', globalPosition: '3' };
      });
      expect(withIds).toBe(0);
      expect(await store.loadCheckpoint('horizon-1')).toEqual({ transactionId: '20', globalPosition: '9' });
    });
  });

  describe('upcasting', () => {
    it('reads an old event version as the current one', async () => {
      await store.append('upcast-1', 'no_stream', [{ type: 'Renamed', data: { name: 'Ann Lee' } }], context());
      const v2 = new PostgresEventStore(orm.em, {
        schema: 'svc',
        versioning: new EventVersioning({
          Renamed: {
            currentVersion: 2,
            upcasters: {
              1: (data) => {
                const [first, last] = String(data.name).split(' ');
                return { firstName: first, lastName: last };
              },
            },
          },
        }),
      });
      const [event] = (await v2.readStream('upcast-1')).events;
      expect(event.data).toEqual({ firstName: 'Ann', lastName: 'Lee' });
      expect(event.metadata).toMatchObject({ storedSchemaVersion: 1, schemaVersion: 2 });
    });

    it('refuses an event version newer than the code knows', async () => {
      const future = new PostgresEventStore(orm.em, {
        schema: 'svc',
        versioning: new EventVersioning({ Moved: { currentVersion: 3 } }),
      });
      await future.append('upcast-2', 'no_stream', [{ type: 'Moved', data: {} }], context());
      await expect(store.readStream('upcast-2')).rejects.toBeInstanceOf(UnknownEventVersionError);
    });
  });

  describe('migrations', () => {
    it('are applied once and a second start is a no-op', async () => {
      const again = await createServiceOrm({ clientUrl: database.url, schema: 'svc', migrations: eventStoreMigrations });
      const executed = await again.migrator.getExecuted();
      await again.close(true);
      expect(executed.map((m) => m.name)).toEqual([
        'Migration20261123000000_event_store',
        'Migration20261201000000_event_store_trace_parent',
        'Migration20261202000000_event_store_append_notify',
        'Migration20261203000000_event_store_notify_transaction_id',
      ]);
    });
  });
});

/**
 * Reads everything committed after `after`, page by page, until the store says nothing follows. An event
 * held back by a transaction open anywhere on the server (another test file's, ADR 0002) is waited for,
 * not taken as the end: what is read is then exactly what was committed, however busy the server is.
 */
async function drain(store: PostgresEventStore, after: typeof START) {
  const all = [];
  let checkpoint = after;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await store.readAll({ after: checkpoint, limit: 100 });
    all.push(...page.events);
    checkpoint = page.checkpoint;
    if (!page.following) return { events: all, checkpoint };
    if (page.following.heldBack) {
      if (Date.now() > deadline) throw new Error('drain: events held back for 10 s by a transaction that stays open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
