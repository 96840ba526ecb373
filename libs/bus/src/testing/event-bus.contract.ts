import { runSql } from '@botplatform/event-store';
import { waitFor } from '@botplatform/testing';
import type { EventBus } from '../event-bus.js';
import type { BusTestKit } from './bus-test-kit.js';

/** One transport wired to a fresh producer/consumer pair. */
export interface BusUnderTest {
  readonly bus: EventBus;
  readonly kit: BusTestKit;
  /** Puts an event the consumer cannot read on its path (garbage on the wire, or an unmappable stored event). */
  injectUnreadable(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The guarantees every transport gives, run against each of them. A transport passes only if a
 * consumer sees each public event once, in order within its stream, with bounded retries and
 * dead letters that say why.
 */
export function eventBusContract(transport: string, open: () => Promise<BusUnderTest>): void {
  describe(`EventBus contract (${transport})`, () => {
    let t: BusUnderTest;
    beforeEach(async () => {
      t = await open();
    });
    afterEach(async () => {
      await t?.close();
    });

    it('applies each public event once, in stream order, and passes internal events over', async () => {
      await t.bus.publishFrom(t.kit.producer());
      await t.bus.consume(t.kit.consumer('consumer--order'), t.kit.consumerOrm);
      await t.kit.register('user-1', 101);
      await t.kit.addNote('user-1', 'internal only');
      await t.kit.register('user-2', 201);
      await t.kit.register('user-1', 102);
      await t.kit.register('user-1', 103);

      const effects = await waitFor('4 effects', async () => ((await t.kit.effects()).length >= 4 ? t.kit.effects() : false));
      await new Promise((r) => setTimeout(r, 300));
      expect(await t.kit.effects()).toHaveLength(4);
      const userOne = effects.filter((e) => e.stream_id === 'user-1');
      expect(userOne.map((e) => [e.stream_position, e.telegram_user_id])).toEqual([
        ['1', '101'],
        ['3', '102'],
        ['4', '103'],
      ]);
    });

    it('delivers the events of many concurrent writers exactly once, in commit order', async () => {
      await t.bus.publishFrom(t.kit.producer());
      await t.bus.consume(t.kit.consumer('consumer--many'), t.kit.consumerOrm);
      const writers = 8;
      const perWriter = 25;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) await t.kit.register(`user-${(w * perWriter + i) % 20}`, w * 1000 + i);
        }),
      );
      const total = writers * perWriter;
      const effects = await waitFor(
        `${total} effects`,
        async () => {
          const rows = await t.kit.effects();
          return rows.length >= total ? rows : false;
        },
        { timeoutMs: 30_000 },
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(await t.kit.effects()).toHaveLength(total);
      expect(new Set(effects.map((e) => e.event_id)).size).toBe(total);
      const { events: commitOrder } = await t.kit.store.readAll({ limit: 10_000 });
      expect(effects.map((e) => e.event_id)).toEqual(commitOrder.map((e) => e.metadata.eventId));
    });

    it('retries a transiently failing event and keeps its stream in order', async () => {
      const failuresLeft = new Map([[13n, 2]]);
      const attemptsSeen: number[] = [];
      const base = t.kit.consumer('consumer--transient');
      await t.bus.publishFrom(t.kit.producer());
      await t.bus.consume(
        {
          ...base,
          maxDeliver: 5,
          handle: async (event, context) => {
            const id = (event.message as unknown as { telegramUserId: bigint }).telegramUserId;
            if (id === 13n) attemptsSeen.push(context.attempt);
            const left = failuresLeft.get(id) ?? 0;
            if (left > 0) {
              failuresLeft.set(id, left - 1);
              throw new Error('database briefly unavailable');
            }
            await base.handle(event, context);
          },
        },
        t.kit.consumerOrm,
      );
      await t.kit.register('user-a', 13);
      await t.kit.register('user-a', 14);
      await t.kit.register('user-b', 15);

      const effects = await waitFor('3 effects', async () => {
        const rows = await t.kit.effects();
        return rows.length >= 3 ? rows : false;
      });
      expect(attemptsSeen).toEqual([1, 2, 3]);
      const userA = effects.filter((e) => e.stream_id === 'user-a').map((e) => e.telegram_user_id);
      expect(userA).toEqual(['13', '14']);
      expect(effects).toHaveLength(3);
    });

    it('runs after-commit callbacks once the effects are visible, outside the transaction, and never for a rolled-back attempt', async () => {
      const base = t.kit.consumer('consumer--after-commit');
      const seen: { userId: string; committed: boolean; inTransactionContext: boolean }[] = [];
      // Registered on each transaction's own event manager: a fork that still sees it forked that transaction's entity manager.
      const transactionMarker = {};
      let failuresLeft = 1;
      await t.bus.publishFrom(t.kit.producer());
      await t.bus.consume(
        {
          ...base,
          handle: async (event, context) => {
            await base.handle(event, context);
            context.em.getEventManager().registerSubscriber(transactionMarker);
            const userId = String((event.message as unknown as { telegramUserId: bigint }).telegramUserId);
            context.afterCommit(() => {
              const em = t.kit.consumerOrm.em.fork();
              const inTransactionContext = em.getEventManager().getSubscribers().has(transactionMarker);
              void runSql<{ n: number }>(em, 'SELECT count(*)::int AS n FROM consumer.test_effects WHERE telegram_user_id = $1', [userId]).then(([row]) =>
                seen.push({ userId, committed: row.n === 1, inTransactionContext }),
              );
            });
            if (userId === '31' && failuresLeft-- > 0) throw new Error('rolled back after registering a callback');
          },
        },
        t.kit.consumerOrm,
      );
      await t.kit.register('user-c', 31);
      await t.kit.register('user-c', 32);

      await waitFor('two callbacks', () => seen.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
        { userId: '31', committed: true, inTransactionContext: false },
        { userId: '32', committed: true, inTransactionContext: false },
      ]);
    });

    it('dead-letters a poison event after maxDeliver attempts, with its reason, and later events flow', async () => {
      const base = t.kit.consumer('consumer--poison');
      await t.bus.publishFrom(t.kit.producer());
      const consumer = await t.bus.consume(
        {
          ...base,
          handle: async (event, context) => {
            if ((event.message as unknown as { telegramUserId: bigint }).telegramUserId === 66n) throw new Error('cannot render template');
            await base.handle(event, context);
          },
        },
        t.kit.consumerOrm,
      );
      await t.kit.register('user-p', 66);
      await t.kit.register('user-p', 67);
      await t.kit.register('user-q', 68);

      const effects = await waitFor('2 effects', async () => {
        const rows = await t.kit.effects();
        return rows.length >= 2 ? rows : false;
      });
      expect(effects.map((e) => e.telegram_user_id).sort()).toEqual(['67', '68']);
      const [letter, ...more] = await waitFor('a dead letter', async () => {
        const letters = await consumer.deadLetters();
        return letters.length ? letters : false;
      });
      expect(more).toHaveLength(0);
      expect(letter).toMatchObject({ consumer: 'consumer--poison', subject: 'users.user.registered.v1', attempts: 3 });
      expect(letter.reason).toContain('handler failed 3 times');
      expect(letter.reason).toContain('cannot render template');
      expect(letter.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(letter.data.length).toBeGreaterThan(0);
    });

    it('lets a batch handler write a run at once, and isolates a poison event inside a batch', async () => {
      const batchSizes: number[] = [];
      const base = t.kit.consumer('consumer--batch');
      await t.bus.publishFrom(t.kit.producer());
      for (let i = 0; i < 30; i++) await t.kit.register(`user-${i % 3}`, i === 10 ? 66 : 1000 + i);
      const consumer = await t.bus.consume(
        {
          name: 'consumer--batch',
          source: 'users',
          subjects: ['users.user.registered.v1'],
          maxDeliver: 2,
          backoffMs: [30],
          handleBatch: async (events, context) => {
            batchSizes.push(events.length);
            if (events.some((e) => (e.message as unknown as { telegramUserId: bigint }).telegramUserId === 66n)) {
              throw new Error('one bad row fails the whole statement');
            }
            for (const event of events) await base.handle(event, context);
          },
        },
        t.kit.consumerOrm,
      );
      const effects = await waitFor('29 effects', async () => {
        const rows = await t.kit.effects();
        return rows.length >= 29 ? rows : false;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(await t.kit.effects()).toHaveLength(29);
      expect(effects.some((e) => e.telegram_user_id === '66')).toBe(false);
      for (const stream of ['user-0', 'user-1', 'user-2']) {
        const positions = effects.filter((e) => e.stream_id === stream).map((e) => Number(e.stream_position));
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }
      expect(Math.max(...batchSizes)).toBeGreaterThan(1);
      const letters = await waitFor('a dead letter', async () => {
        const found = await consumer.deadLetters();
        return found.length ? found : false;
      });
      expect(letters).toHaveLength(1);
      expect(letters[0].reason).toContain('one bad row');
    });

    it("retries through an outage of its own database without spending the event's attempts", async () => {
      let outageLeft = 5;
      const base = t.kit.consumer('consumer--outage');
      await t.bus.publishFrom(t.kit.producer());
      const consumer = await t.bus.consume(
        {
          ...base,
          maxDeliver: 2,
          handle: async (event, context) => {
            if (outageLeft-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
            await base.handle(event, context);
          },
        },
        t.kit.consumerOrm,
      );
      await t.kit.register('user-o', 5);
      await waitFor('the effect after the outage', async () => (await t.kit.effects()).length === 1, { timeoutMs: 20_000 });
      expect(await consumer.deadLetters()).toHaveLength(0);
    });

    it('replays dead letters once their cause is fixed, applying each once and keeping what still fails', async () => {
      let templateFixed = false;
      const base = t.kit.consumer('consumer--replay');
      await t.bus.publishFrom(t.kit.producer());
      const consumer = await t.bus.consume(
        {
          ...base,
          maxDeliver: 1,
          handle: async (event, context) => {
            if (!templateFixed) throw new Error('template missing');
            await base.handle(event, context);
          },
        },
        t.kit.consumerOrm,
      );
      await t.kit.register('user-d', 41);
      await t.injectUnreadable();
      await waitFor('two dead letters', async () => (await consumer.deadLetters()).length === 2);

      templateFixed = true;
      const replay = await consumer.replayDeadLetters();
      expect(replay.replayed).toBe(1);
      expect(replay.stillFailing).toHaveLength(1);
      expect(replay.stillFailing[0].reason).toMatch(/CONTRACTS\.UNDECODABLE|cannot publish stored/);
      expect((await t.kit.effects()).map((e) => e.telegram_user_id)).toEqual(['41']);
      const left = await consumer.deadLetters();
      expect(left.map((l) => l.id)).toEqual([replay.stillFailing[0].id]);

      expect(await consumer.replayDeadLetters()).toMatchObject({ replayed: 0 });
      expect(await t.kit.effects()).toHaveLength(1);
    });

    it('parks at once an event the handler declares hopeless', async () => {
      const { ParkEventError } = await import('../event-bus.js');
      let calls = 0;
      await t.bus.publishFrom(t.kit.producer());
      const consumer = await t.bus.consume(
        t.kit.consumer('consumer--hopeless', {
          handle: async () => {
            calls++;
            throw new ParkEventError('bot was deleted');
          },
        }),
        t.kit.consumerOrm,
      );
      await t.kit.register('user-h', 1);
      const letters = await waitFor('a dead letter', async () => {
        const found = await consumer.deadLetters();
        return found.length ? found : false;
      });
      expect(letters[0]).toMatchObject({ reason: 'bot was deleted', attempts: 1 });
      expect(calls).toBe(1);
    });

    it('parks an unreadable event with a clear reason and keeps consuming', async () => {
      await t.bus.publishFrom(t.kit.producer());
      const consumer = await t.bus.consume(t.kit.consumer('consumer--unreadable'), t.kit.consumerOrm);
      await t.injectUnreadable();
      await t.kit.register('user-r', 77);
      await waitFor('the later event applied', async () => (await t.kit.effects()).some((e) => e.telegram_user_id === '77'));
      const letters = await waitFor('a dead letter', async () => {
        const found = await consumer.deadLetters();
        return found.length ? found : false;
      });
      expect(letters).toHaveLength(1);
      expect(letters[0].reason).toMatch(/CONTRACTS\.UNDECODABLE|cannot publish stored/);
    });

    it('resumes after a restart without repeating effects', async () => {
      await t.bus.publishFrom(t.kit.producer());
      const first = await t.bus.consume(t.kit.consumer('consumer--restart'), t.kit.consumerOrm);
      for (let i = 0; i < 5; i++) await t.kit.register(`user-${i}`, i);
      await waitFor('5 effects', async () => (await t.kit.effects()).length === 5);
      await first.stop();
      for (let i = 5; i < 10; i++) await t.kit.register(`user-${i}`, i);
      await t.bus.consume(t.kit.consumer('consumer--restart'), t.kit.consumerOrm);
      await waitFor('10 effects', async () => (await t.kit.effects()).length >= 10);
      await new Promise((r) => setTimeout(r, 300));
      const effects = await t.kit.effects();
      expect(effects.map((e) => e.telegram_user_id)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    });
  });
}
