import { JetStreamEventBus, encodePublicEvent } from '@botplatform/bus';
import { PostgresEventStore } from '@botplatform/event-store';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import {
  PRODUCER_SERVICE,
  benchContext,
  benchProducerMapper,
  countEffects,
  effectConsumer,
  openConsumerOrm,
  openProducerOrm,
  registered,
} from './fixtures.js';
import { RawJetStream } from './raw-jetstream.js';
import type { BenchLine } from './report.js';
import { perSecond, runWorkers, waitUntil, withTimeout } from './timing.js';

const PRODUCER_SCHEMA = 'relay_producer';
const CONSUMER_SCHEMA = 'relay_consumer';
const EVENTS = 20_000;
/** Pre-append in batches, each to a stream of its own, so the setup takes seconds, not minutes. */
const PREAPPEND_BATCH = 50;
/** The relay has a round of 500 publishes in flight; the raw publisher keeps as many outstanding. */
const RAW_PUBLISH_WINDOW = 500;

export interface RelayBenchTarget {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** The run's bus namespace: every stream made here starts with it, so cleanup can find them. */
  readonly namespace: string;
}

/**
 * Relay → JetStream → consumer throughput: N events already in the store, then the relay starts and a
 * consumer (inbox row + one effect row per event) applies them; timed from the relay's start to the
 * N-th effect committed. Raw: N messages of the same size published with `Nats-Msg-Id` and consumed
 * by a durable pull consumer acking each, timed from the first publish to the N-th message consumed.
 * Both consumers exist before the clock starts.
 */
export async function runRelayThroughputBench(target: RelayBenchTarget, log: (line: string) => void): Promise<BenchLine[]> {
  const producerOrm = await openProducerOrm(target.databaseUrl, PRODUCER_SCHEMA);
  const consumerOrm = await openConsumerOrm(target.databaseUrl, CONSUMER_SCHEMA);
  try {
    const store = new PostgresEventStore(producerOrm.em, { schema: PRODUCER_SCHEMA });
    await runWorkers(8, EVENTS / PREAPPEND_BATCH, async (_, task) => {
      const events = Array.from({ length: PREAPPEND_BATCH }, (_, i) => registered(task * PREAPPEND_BATCH + i));
      await store.append(`user-${randomUUID()}`, 'no_stream', events, benchContext());
    });
    const [sample] = (await store.readAll({ limit: 1 })).events;
    const payload = encodePublicEvent(sample, benchProducerMapper)?.bytes;
    if (!payload) throw new Error('the bench mapper published nothing for a UserRegistered event');

    const ours = await measureOurs(target, store, consumerOrm);
    const raw = await measureRaw(target, payload);
    const oursRate = perSecond(EVENTS, ours.consumedMs);
    const rawRate = perSecond(EVENTS, raw.consumedMs);
    log(
      `  relay → consumer: ours ${oursRate.toFixed(0)} ev/s (relay alone ${perSecond(EVENTS, ours.publishedMs).toFixed(0)} ev/s), ` +
        `raw ${rawRate.toFixed(0)} ev/s (publish alone ${perSecond(EVENTS, raw.publishedMs).toFixed(0)} ev/s)`,
    );
    return [
      {
        scenario: 'relay-throughput',
        line: `relay → JetStream → consumer, ${EVENTS.toLocaleString('en-US')} events`,
        unit: 'events/s',
        better: 'higher',
        ours: oursRate,
        raw: rawRate,
        details: {
          events: EVENTS,
          payloadBytes: payload.length,
          oursAllPublishedMs: ours.publishedMs,
          oursAllConsumedMs: ours.consumedMs,
          rawAllPublishedMs: raw.publishedMs,
          rawAllConsumedMs: raw.consumedMs,
        },
      },
    ];
  } finally {
    await consumerOrm.close(true);
    await producerOrm.close(true);
  }
}

interface Timings {
  /** From the clock's start until every event was acknowledged by JetStream. */
  readonly publishedMs: number;
  /** From the clock's start until every event was consumed (ours: its effect committed). */
  readonly consumedMs: number;
}

async function measureOurs(
  target: RelayBenchTarget,
  store: PostgresEventStore,
  consumerOrm: MikroORM,
): Promise<Timings> {
  const errors: unknown[] = [];
  const bus = await JetStreamEventBus.connect(target.natsUrl, 'bench-relay-throughput', {
    namespace: target.namespace,
    relay: { onError: (error) => errors.push(error) },
    consumer: { onError: (error) => errors.push(error) },
  });
  try {
    let handled = 0;
    await bus.consume(
      effectConsumer('bench--relay-throughput', CONSUMER_SCHEMA, () => handled++),
      consumerOrm,
    );
    const start = performance.now();
    const relay = await bus.publishFrom({ service: PRODUCER_SERVICE, store, toPublic: benchProducerMapper });
    let publishedMs = 0;
    const failIfBroken = () => {
      if (errors.length) throw new Error(`the bus failed during the bench: ${String(errors[0])}`);
    };
    // Counting in the handler first keeps the database free of polling while the pipeline runs;
    // the count of committed effects then gives the exact end.
    await waitUntil('our consumer to handle every event', () => {
      failIfBroken();
      if (!publishedMs && relay.published >= EVENTS) publishedMs = performance.now() - start;
      return handled >= EVENTS;
    }, { intervalMs: 2 });
    await waitUntil('our consumer to commit every effect', async () => (await countEffects(consumerOrm.em, CONSUMER_SCHEMA)) >= EVENTS, {
      intervalMs: 2,
    });
    const consumedMs = performance.now() - start;
    if (!publishedMs) publishedMs = consumedMs;
    failIfBroken();
    return { publishedMs, consumedMs };
  } finally {
    await bus.close();
  }
}

async function measureRaw(target: RelayBenchTarget, payload: Uint8Array): Promise<Timings> {
  const raw = await RawJetStream.create(target.natsUrl, target.namespace, 'throughput');
  try {
    const consumption = await raw.consume(EVENTS);
    try {
      const start = performance.now();
      await runWorkers(RAW_PUBLISH_WINDOW, EVENTS, async () => {
        await raw.publish(payload, randomUUID());
      });
      const publishedMs = performance.now() - start;
      const lastArrival = await withTimeout(consumption.lastArrival, 120_000, 'the raw consumer to receive every message');
      return { publishedMs, consumedMs: lastArrival - start };
    } finally {
      await consumption.close();
    }
  } finally {
    await raw.close();
  }
}
