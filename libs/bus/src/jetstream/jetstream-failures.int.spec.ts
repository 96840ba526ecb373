import { decodeEventMessage } from '@botplatform/contracts';
import { NatsServerProcess, testServers, uniqueName, waitFor } from '@botplatform/testing';
import { DeliverPolicy, jetstream, type JetStreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import type { RunningConsumer } from '../event-bus.js';
import { BusTestKit } from '../testing/bus-test-kit.js';
import { JetStreamEventBus } from './jetstream-event-bus.js';
import { deleteNamespaceStreams } from './testing-streams.js';

/** Event ids in the order JetStream stored them. */
async function storedEventIds(bus: JetStreamEventBus, service = 'users'): Promise<string[]> {
  const stream = bus.naming.streamOf(service);
  const { state } = await bus.jsm.streams.info(stream);
  const reader = await jetstream(bus.connection).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const ids: string[] = [];
  for (let i = 0; i < state.messages; i++) {
    const message = await reader.next({ expires: 2_000 });
    if (!message) break;
    ids.push(decodeEventMessage(message.data).envelope.eventId);
  }
  return ids;
}

/** A message on the service's stream of a type no contract knows. */
async function publishUnknownEvent(bus: JetStreamEventBus): Promise<void> {
  const hdrs = headers();
  hdrs.set('Nats-Msg-Id', uniqueName('unknown'));
  await jetstream(bus.connection).publish(bus.naming.wireSubject('users.user.teleported.v1'), new Uint8Array([1, 2, 3]), { headers: hdrs });
}

async function consumerInfo(jsm: JetStreamManager, bus: JetStreamEventBus, name: string) {
  return jsm.consumers.info(bus.naming.streamOf('users'), name);
}

describe('JetStream transport under failure', () => {
  let kit: BusTestKit;
  let bus: JetStreamEventBus;

  beforeEach(async () => {
    kit = await BusTestKit.create();
    bus = await JetStreamEventBus.connect(testServers.natsUrl, 'bus-failures', { namespace: uniqueName('f') });
  });

  afterEach(async () => {
    await bus.close();
    await deleteNamespaceStreams(testServers.natsUrl, bus.naming);
    await kit.close();
  });

  describe('the relay', () => {
    it('publishes every event of many concurrent writers exactly once, in commit order', async () => {
      const relay = await bus.publishFrom(kit.producer());
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 40; i++) await kit.register(`user-${(w + i) % 25}`, w * 100 + i);
        }),
      );
      await waitFor('320 published', () => relay.published >= 320);
      const { events } = await kit.store.readAll({ limit: 10_000 });
      expect(await storedEventIds(bus)).toEqual(events.map((e) => e.metadata.eventId));
    });

    it('killed between publish and checkpoint, is restarted and loses nothing while the dedupe drops repeats', async () => {
      for (let i = 0; i < 50; i++) await kit.register(`user-${i % 5}`, i);
      let publishedBeforeCrash = 0;
      const dying = await JetStreamEventBus.over(bus.connection, {
        namespace: bus.naming.namespace,
        relay: {
          retryDelayMs: 50,
          afterPublish: () => {
            publishedBeforeCrash++;
            throw new Error('process killed before the checkpoint was saved');
          },
        },
      });
      const crashed = await dying.publishFrom(kit.producer());
      await waitFor('a publish round', () => publishedBeforeCrash >= 2);
      await crashed.stop();
      expect(await kit.store.loadCheckpoint(`relay:jetstream:${bus.naming.namespace}`)).toMatchObject({ globalPosition: '0' });

      const restarted = await bus.publishFrom(kit.producer());
      await waitFor('the checkpoint to move', async () => (await kit.store.loadCheckpoint(`relay:jetstream:${bus.naming.namespace}`)).globalPosition !== '0');
      await kit.register('user-after', 999);
      await waitFor('51 published', () => restarted.published >= 51);

      const { events } = await kit.store.readAll({ limit: 10_000 });
      const stored = await storedEventIds(bus);
      expect(stored).toHaveLength(51);
      expect(stored).toEqual(events.map((e) => e.metadata.eventId));
    });
  });

  describe('a consumer', () => {
    it('killed after its commit but before the ack, gets the event again and applies it once', async () => {
      let handled = 0;
      const base = kit.consumer('consumer--crash');
      const definition = {
        ...base,
        handle: async (...args: Parameters<typeof base.handle>) => {
          handled++;
          await base.handle(...args);
        },
      };
      let releaseCrash!: () => void;
      const crash = new Promise<void>((resolve) => (releaseCrash = resolve));
      let committed!: () => void;
      const hasCommitted = new Promise<void>((resolve) => (committed = resolve));
      const dying = await JetStreamEventBus.over(bus.connection, {
        namespace: bus.naming.namespace,
        consumer: {
          ackWaitMs: 1_000,
          afterCommit: async () => {
            committed();
            await crash;
            throw new Error('process killed before the ack');
          },
        },
      });
      await bus.publishFrom(kit.producer());
      const first = await dying.consume(definition, kit.consumerOrm);
      // One stream: whatever the dead instance held must still be applied before what came after it.
      for (let i = 0; i < 3; i++) await kit.register('user-0', i);
      await hasCommitted;
      const stopping = first.stop();
      releaseCrash();
      await stopping;
      const appliedBeforeCrash = (await kit.effects()).length;
      expect(appliedBeforeCrash).toBeGreaterThan(0);

      const survivor = await JetStreamEventBus.over(bus.connection, { namespace: bus.naming.namespace, consumer: { ackWaitMs: 1_000 } });
      await survivor.consume(definition, kit.consumerOrm);
      await waitFor('every event acked', async () => {
        const info = await consumerInfo(bus.jsm, bus, 'consumer--crash');
        return info.num_ack_pending === 0 && info.num_pending === 0 && info.delivered.stream_seq === 3;
      });
      // Every delivery, redeliveries included, takes a consumer sequence number.
      const info = await consumerInfo(bus.jsm, bus, 'consumer--crash');
      expect(info.delivered.consumer_seq).toBeGreaterThan(info.delivered.stream_seq);
      const effects = await kit.effects();
      expect(effects.map((e) => [e.stream_position, e.telegram_user_id])).toEqual([
        ['1', '0'],
        ['2', '1'],
        ['3', '2'],
      ]);
      expect(handled).toBe(3);
      await survivor.close();
    });

    describe('restarted after a crash, with the default ack wait', () => {
      const maxInFlight = 4;
      const name = 'consumer--recover';
      // Redeliveries of what a dead instance held come only after the ack wait: recovery must not wait for them.
      let ackWaitMs: number;
      let handled: number;
      let definition: ReturnType<BusTestKit['consumer']>;

      beforeEach(() => {
        ackWaitMs = 30_000;
        handled = 0;
        const base = kit.consumer(name);
        definition = {
          ...base,
          handle: async (...args: Parameters<typeof base.handle>) => {
            handled++;
            await base.handle(...args);
          },
        };
      });

      /** An instance that stops dead at its first commit: its effects are in, nothing it received is acked. */
      async function instanceDyingAtFirstCommit() {
        let releaseCrash!: () => void;
        const crash = new Promise<void>((resolve) => (releaseCrash = resolve));
        let committed = false;
        const instance = await JetStreamEventBus.over(bus.connection, {
          namespace: bus.naming.namespace,
          consumer: {
            ackWaitMs,
            maxInFlight,
            afterCommit: async () => {
              committed = true;
              await crash;
              throw new Error('process killed before the ack');
            },
          },
        });
        await instance.consume(definition, kit.consumerOrm);
        return {
          hasCommitted: () => waitFor('the instance to commit', () => committed),
          kill: async () => {
            const stopping = instance.close();
            releaseCrash();
            await stopping;
          },
        };
      }

      /** A first instance dies holding its limit of messages (one applied, the others only received); more follow. */
      async function crashHoldingMessages(afterFirstCommit?: () => Promise<void>): Promise<void> {
        await bus.publishFrom(kit.producer());
        const first = await instanceDyingAtFirstCommit();
        await kit.register('user-0', 0);
        await first.hasCommitted();
        await afterFirstCommit?.();
        for (let i = 1; i < 6; i++) await kit.register('user-0', i);
        await waitFor('the first instance to hold its limit', async () => (await consumerInfo(bus.jsm, bus, name)).num_ack_pending === maxInFlight);
        await first.kill();
        for (let i = 6; i < 10; i++) await kit.register('user-0', i);
        expect(await kit.effects()).toHaveLength(1);
      }

      /** `handlerCalls`: 10 unless a handler failed (its rolled-back batch ran handlers for nothing). */
      async function expectAllTenAppliedOnceInOrder({
        handlerCalls = 10,
        alsoExpect,
      }: {
        handlerCalls?: number | 'any';
        alsoExpect?: (consumer: RunningConsumer) => Promise<void>;
      } = {}): Promise<void> {
        const survivor = await JetStreamEventBus.over(bus.connection, { namespace: bus.naming.namespace, consumer: { ackWaitMs, maxInFlight } });
        try {
          const consumer = await survivor.consume(definition, kit.consumerOrm);
          // Well inside the ack wait: a consumer that waits for the redeliveries cannot pass.
          const effects = await waitFor(
            '10 effects',
            async () => {
              const rows = await kit.effects();
              return rows.length >= 10 ? rows : false;
            },
            { timeoutMs: 10_000 },
          );
          expect(effects.map((e) => Number(e.stream_position))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
          expect(effects.map((e) => Number(e.telegram_user_id))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
          if (handlerCalls !== 'any') expect(handled).toBe(handlerCalls);
          await alsoExpect?.(consumer);
        } finally {
          await survivor.close();
        }
      }

      it('applies what the dead instance held, then what came after, in order and once', async () => {
        await crashHoldingMessages();
        await expectAllTenAppliedOnceInOrder();
      });

      it('recovers as well when the next instance dies too while catching up', async () => {
        await crashHoldingMessages();
        const second = await instanceDyingAtFirstCommit();
        try {
          await second.hasCommitted();
        } finally {
          await second.kill();
        }
        const appliedBySecond = (await kit.effects()).map((e) => Number(e.stream_position));
        expect(appliedBySecond.length).toBeGreaterThan(1);
        expect(appliedBySecond.length).toBeLessThan(10);
        expect(appliedBySecond).toEqual(appliedBySecond.map((_, i) => i + 1));
        await expectAllTenAppliedOnceInOrder();
      });

      it('dead-letters, once, an event it cannot read among those the dead instance held, and goes on', async () => {
        await crashHoldingMessages(() => publishUnknownEvent(bus));
        await expectAllTenAppliedOnceInOrder({
          alsoExpect: async (consumer) => {
            const letters = await consumer.deadLetters();
            expect(letters).toHaveLength(1);
            expect(letters[0]).toMatchObject({ subject: 'users.user.teleported.v1', eventId: null });
          },
        });
      });

      it('keeps order when an event the dead instance held fails again: the rest waits for its redelivery', async () => {
        ackWaitMs = 2_000;
        const base = definition;
        let failed = false;
        definition = {
          ...base,
          handle: async (event, context) => {
            if (event.envelope.streamPosition === 3n && !failed) {
              failed = true;
              throw new Error('the database of an effect blinked');
            }
            await base.handle(event, context);
          },
        };
        await crashHoldingMessages();
        // Within the ack wait the failed event comes back, and only then anything after it.
        await expectAllTenAppliedOnceInOrder({ handlerCalls: 'any' });
        expect(failed).toBe(true);
      });
    });

    it('parks an event of a type no contract knows, with the reason, and keeps going', async () => {
      await bus.publishFrom(kit.producer());
      const consumer = await bus.consume(kit.consumer('consumer--unknown'), kit.consumerOrm);
      await publishUnknownEvent(bus);
      await kit.register('user-1', 1);
      await waitFor('the known event applied', async () => (await kit.effects()).length === 1);
      const letters = await waitFor('a dead letter', async () => {
        const found = await consumer.deadLetters();
        return found.length ? found : false;
      });
      expect(letters[0]).toMatchObject({ subject: 'users.user.teleported.v1', eventId: null });
      expect(letters[0].reason).toContain('unknown event type');
    });
  });
});

describe('JetStream transport across a broker restart', () => {
  let nats: NatsServerProcess;
  let kit: BusTestKit;
  let bus: JetStreamEventBus;

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    kit = await BusTestKit.create();
    bus = await JetStreamEventBus.connect(nats.url, 'bus-restart', {
      namespace: uniqueName('r'),
      relay: { retryDelayMs: 100 },
      consumer: { ackWaitMs: 2_000 },
    });
  });

  afterAll(async () => {
    await bus?.close();
    await nats?.dispose();
    await kit?.close();
  });

  it('relay and consumer resume on their own and every event is applied once', async () => {
    await bus.publishFrom(kit.producer());
    await bus.consume(kit.consumer('consumer--restart'), kit.consumerOrm);
    for (let i = 0; i < 40; i++) await kit.register(`user-${i % 4}`, i);
    await waitFor('some effects before the restart', async () => (await kit.effects()).length > 0);

    await nats.stop();
    for (let i = 40; i < 80; i++) await kit.register(`user-${i % 4}`, i);
    await nats.restart();
    for (let i = 80; i < 120; i++) await kit.register(`user-${i % 4}`, i);

    const effects = await waitFor(
      '120 effects',
      async () => {
        const rows = await kit.effects();
        return rows.length >= 120 ? rows : false;
      },
      { timeoutMs: 30_000 },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await kit.effects()).toHaveLength(120);
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(120);
    for (const stream of ['user-0', 'user-1', 'user-2', 'user-3']) {
      const positions = effects.filter((e) => e.stream_id === stream).map((e) => Number(e.stream_position));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });
});
