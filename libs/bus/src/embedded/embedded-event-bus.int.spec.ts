import { runSql, START, type Checkpoint } from '@botplatform/event-store';
import { waitFor } from '@botplatform/testing';
import { BusTestKit } from '../testing/bus-test-kit.js';
import { eventBusContract } from '../testing/event-bus.contract.js';
import { EmbeddedEventBus } from './embedded-event-bus.js';
import { ProducerFeed, type FeedReader } from './producer-feed.js';

eventBusContract('embedded', async () => {
  const kit = await BusTestKit.create();
  const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
  return {
    bus,
    kit,
    // A stored event the producer's mapper cannot turn into its public contract.
    injectUnreadable: async () => {
      await kit.store.append('user-bad', 'any', [{ type: 'UserRegistered', data: { telegramUserId: 1.5, firstName: 'x' } }], {
        botId: '6f1c2c3e-8a43-4b7e-9a59-2f6f3c1d0a11',
        correlationId: 'c',
        causationId: null,
        actor: { kind: 'system', id: 'test' },
        occurredAt: new Date(),
      });
    },
    close: async () => {
      await bus.close();
      await kit.close();
    },
  };
});

describe('EmbeddedEventBus: what its consumers share and keep', () => {
  let kit: BusTestKit;
  let bus: EmbeddedEventBus;
  beforeEach(async () => {
    kit = await BusTestKit.create();
  });
  afterEach(async () => {
    await bus?.close();
    await kit?.close();
  });

  /** Counts the store reads the consumers make (the store itself is the real one). */
  const countReads = () => {
    const counter = { reads: 0 };
    const readAll = kit.store.readAll.bind(kit.store);
    kit.store.readAll = (options) => {
      counter.reads++;
      return readAll(options);
    };
    return counter;
  };
  const positionOf = async (consumer: string) =>
    (
      await runSql<{ global_position: string }>(kit.consumerOrm.em, 'SELECT global_position::text FROM consumer.bus_consumer_positions WHERE consumer = $1', [
        consumer,
      ])
    )[0]?.global_position;

  const lastPosition = async () =>
    (await runSql<{ last: string }>(kit.producerOrm.em, 'SELECT max(global_position)::text AS last FROM producer.event_store_events'))[0].last;

  it('reads the store once for the consumers at its head that ask together, and again for one that used that read', async () => {
    const feed = new ProducerFeed(kit.producer(), 256, 1_024);
    try {
      const counter = countReads();
      const readers: FeedReader[] = Array.from({ length: 5 }, () => ({ lastRead: 0 }));
      // Woken by one append, they all ask at once: one read serves them all.
      await kit.register('user-0', 0);
      const pages = await Promise.all(readers.map((reader) => feed.read(reader, START, 256)));
      expect(counter.reads).toBe(1);
      expect(new Set(pages.map((page) => page.map((e) => e.metadata.eventId).join()))).toHaveProperty('size', 1);
      // A reader at the head that already used the latest read reads again (a poll still polls); the
      // others, asking after it, take that newer read.
      const head = pages[0].length ? pages[0][pages[0].length - 1].metadata : START;
      await feed.read(readers[0], head, 256);
      expect(counter.reads).toBe(2);
      await Promise.all(readers.slice(1).map((reader) => feed.read(reader, head, 256)));
      expect(counter.reads).toBe(2);
      // An in-process append after that read: the next reader reads again, and finds it.
      await kit.register('user-1', 1);
      let position: Checkpoint = head;
      await waitFor('the new event through the feed', async () => {
        const page = await feed.read(readers[1], position, 256);
        if (page.length) position = page[page.length - 1].metadata;
        return page.some((e) => e.metadata.streamId === 'user-1');
      });
      expect(counter.reads).toBeGreaterThanOrEqual(3);
    } finally {
      feed.close();
    }
  });

  it('serves consumers at different points of the store in order, each event once', async () => {
    bus = new EmbeddedEventBus({ pollIntervalMs: 50, batchSize: 4 });
    await bus.publishFrom(kit.producer());
    await bus.consume(kit.consumer('consumer--early'), kit.consumerOrm);
    for (let i = 0; i < 10; i++) await kit.register(`user-${i % 7}`, i);
    // The second consumer starts at the start of the store, behind the 16 events the feed keeps.
    const late = kit.consumer('consumer--late');
    await bus.consume(
      {
        ...late,
        // Its effects are told apart by an offset of 1,000 on the user id.
        handle: (event, context) => {
          const message = event.message as unknown as { telegramUserId: bigint };
          return late.handle!({ ...event, message: { ...message, telegramUserId: message.telegramUserId + 1_000n } } as never, context);
        },
      },
      kit.consumerOrm,
    );
    for (let i = 10; i < 30; i++) await kit.register(`user-${i % 7}`, i);
    await waitFor('both consumers to apply all 30', async () => (await kit.effects()).length === 60);
    const effects = await kit.effects();
    for (const [offset, name] of [
      [0, 'early'],
      [1_000, 'late'],
    ] as const) {
      const own = effects.filter((e) => Number(e.telegram_user_id) >= 1_000 === offset > 0);
      expect({ name, ids: own.map((e) => Number(e.telegram_user_id) - offset).sort((a, b) => a - b) }).toEqual({
        name,
        ids: Array.from({ length: 30 }, (_, i) => i),
      });
      for (let stream = 0; stream < 7; stream++) {
        const positions = own.filter((e) => e.stream_id === `user-${stream}`).map((e) => Number(e.stream_position));
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }
    }
  });

  it('writes the position it reached once idle, and a restart from an older one applies nothing twice', async () => {
    bus = new EmbeddedEventBus({ pollIntervalMs: 50, positionFlushMs: 60_000 });
    await bus.publishFrom(kit.producer());
    const first = await bus.consume(kit.consumer('consumer--lazy'), kit.consumerOrm);
    for (let i = 0; i < 5; i++) await kit.register(`user-${i}`, i);
    await waitFor('5 effects', async () => (await kit.effects()).length === 5);
    await waitFor('the position of the last event written', async () => (await positionOf('consumer--lazy')) === (await lastPosition()));
    await first.stop();
    // As if the process had died before writing any position: the inbox holds what was applied.
    await runSql(kit.consumerOrm.em, 'DELETE FROM consumer.bus_consumer_positions WHERE consumer = $1', ['consumer--lazy']);
    await kit.register('user-5', 5);
    await bus.consume(kit.consumer('consumer--lazy'), kit.consumerOrm);
    await waitFor('the restarted consumer caught up', async () => (await positionOf('consumer--lazy')) === (await lastPosition()));
    expect((await kit.effects()).map((e) => e.telegram_user_id)).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});
