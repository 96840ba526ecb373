import { JetStreamEventBus, encodePublicEvent, type RunningConsumer } from '@botplatform/bus';
import { UserRegisteredSchema, decodeEventMessage, isEventOf } from '@botplatform/contracts';
import { PostgresEventStore, runSql } from '@botplatform/event-store';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import {
  PRODUCER_SERVICE,
  benchContext,
  batchEffectConsumer,
  benchProducerMapper,
  countEffects,
  effectConsumer,
  openConsumerOrm,
  openProducerOrm,
  registered,
} from './fixtures.js';
import { NaiveEventPath } from './naive-durable.js';
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
const STALL_MS = 15_000;
/**
 * The naive consumer commits once per event (no inbox, no batching), a few ms each on this machine's
 * disk: its rate settles within a few thousand events, so it runs fewer than ours to keep the bench short.
 */
const NAIVE_EVENTS = 4_000;

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

    const raw = await measureRaw(target, payload);
    const rawRate = perSecond(EVENTS, raw.consumedMs);
    const naive = await measureNaive(target, payload);
    // The naive path runs NAIVE_EVENTS, not EVENTS: its rate is over the events it ran.
    const naiveRate = perSecond(NAIVE_EVENTS, naive.consumedMs);
    log(
      `  naive durable (INSERT, publish + ack; consumer INSERT + ack): ${naiveRate.toFixed(0)} ev/s (produced alone ${perSecond(NAIVE_EVENTS, naive.publishedMs).toFixed(0)} ev/s)`,
    );
    const lines: BenchLine[] = [];
    // Each pass publishes the same stored events into a namespace of its own (the relay's checkpoint is
    // per namespace), so both consumers start from an empty stream and an empty effects table.
    for (const handler of ['per-event', 'batch'] as const) {
      await runSql(consumerOrm.em, `TRUNCATE "${CONSUMER_SCHEMA}".bench_effects`);
      const ours = await measureOurs({ ...target, namespace: `${target.namespace}_${handler.replace('-', '_')}` }, store, consumerOrm, handler);
      const oursRate = perSecond(EVENTS, ours.consumedMs);
      log(
        `  relay → consumer (${handler} handler): ours ${oursRate.toFixed(0)} ev/s (relay alone ${perSecond(EVENTS, ours.publishedMs).toFixed(0)} ev/s, ` +
          `${ours.publishAcks} publish acks for ${EVENTS} events; ` +
          `${(ours.effectInsertsMs / 1_000).toFixed(1)} s of ${(ours.consumedMs / 1_000).toFixed(1)} s in the handlers' effect INSERTs), ` +
          `raw ${rawRate.toFixed(0)} ev/s (publish alone ${perSecond(EVENTS, raw.publishedMs).toFixed(0)} ev/s)`,
      );
      lines.push({
        scenario: 'relay-throughput',
        line: `relay → JetStream → consumer, ${handler === 'batch' ? 'a run per INSERT' : 'an INSERT per event'}`,
        unit: 'events/s',
        better: 'higher',
        ours: oursRate,
        raw: rawRate,
        naive: naiveRate,
        aim: { on: 'naive', ratio: handler === 'batch' ? 1.5 : 1.0 },
        details: {
          naiveEvents: NAIVE_EVENTS,
          naiveAllProducedMs: naive.publishedMs,
          naiveAllConsumedMs: naive.consumedMs,
          events: EVENTS,
          payloadBytes: payload.length,
          oursAllPublishedMs: ours.publishedMs,
          oursAllConsumedMs: ours.consumedMs,
          oursEffectInsertsMs: ours.effectInsertsMs,
          oursRelayPublishAcks: ours.publishAcks,
          rawAllPublishedMs: raw.publishedMs,
          rawAllConsumedMs: raw.consumedMs,
        },
      });
    }
    return lines;
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

interface OurTimings extends Timings {
  /** Time spent in the handlers' effect INSERTs, summed (one statement per event). */
  readonly effectInsertsMs: number;
  /** Publish acks the relay got; more than the events means it published some twice. */
  readonly publishAcks: number;
}

async function measureOurs(target: RelayBenchTarget, store: PostgresEventStore, consumerOrm: MikroORM, handler: 'per-event' | 'batch'): Promise<OurTimings> {
  const errors: unknown[] = [];
  const bus = await JetStreamEventBus.connect(target.natsUrl, 'bench-relay-throughput', {
    namespace: target.namespace,
    relay: { onError: (error) => errors.push(error) },
    consumer: { onError: (error) => errors.push(error) },
  });
  try {
    let handled = 0;
    let effectInsertsMs = 0;
    const consumer = await bus.consume(
      handler === 'batch'
        ? batchEffectConsumer('bench--relay-batch', CONSUMER_SCHEMA, (applied, effectMs) => {
            handled += applied;
            effectInsertsMs += effectMs;
          })
        : effectConsumer('bench--relay-per-event', CONSUMER_SCHEMA, (_, effectMs) => {
            handled++;
            effectInsertsMs += effectMs;
          }),
      consumerOrm,
    );
    const start = performance.now();
    const relay = await bus.publishFrom({ service: PRODUCER_SERVICE, store, toPublic: benchProducerMapper });
    let publishedMs = 0;
    // A pipeline that stops short (an event never published or never delivered) would otherwise only
    // show as a timeout; no progress for this long ends the run with what JetStream holds.
    let lastProgress = { at: performance.now(), handled: 0, published: 0 };
    const stalled = () => {
      if (handled !== lastProgress.handled || relay.published !== lastProgress.published) {
        lastProgress = { at: performance.now(), handled, published: relay.published };
      }
      return performance.now() - lastProgress.at > STALL_MS;
    };
    try {
      // Counting in the handler first keeps the database free of polling while the pipeline runs;
      // the count of committed effects then gives the exact end.
      await waitUntil(
        'our consumer to handle every event',
        () => {
          if (errors.length) throw new Error(`the bus failed during the bench: ${messageOf(errors[0])}`);
          if (!publishedMs && relay.published >= EVENTS) publishedMs = performance.now() - start;
          if (stalled()) throw new Error(`no progress for ${STALL_MS / 1_000} s`);
          return handled >= EVENTS;
        },
        { intervalMs: 2 },
      );
    } catch (error) {
      throw new Error(
        `our relay → consumer pipeline stopped short: ${messageOf(error)}; consumer handled ${handled} of ${EVENTS} events, ` +
          `relay got ${relay.published} publish acks (duplicates included), relay's last error: ${String(relay.lastError ?? 'none')}\n` +
          (await describeStuckPipeline(bus, consumer)),
      );
    }
    await waitUntil('our consumer to commit every effect', async () => (await countEffects(consumerOrm.em, CONSUMER_SCHEMA)) >= EVENTS, {
      intervalMs: 2,
    });
    const consumedMs = performance.now() - start;
    if (!publishedMs) publishedMs = consumedMs;
    return { publishedMs, consumedMs, effectInsertsMs, publishAcks: relay.published };
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

/**
 * The naive durable path: N events INSERTed and published (each awaiting its ack) by as many
 * concurrent producers as the raw publisher keeps outstanding, sharing a pool of 10 connections; a
 * consumer INSERTs an effect per message and acks, one after the other. Timed from the first INSERT
 * to the N-th effect committed. Its producer INSERTs are inside the clock, ours (the appends) are not:
 * ours starts from events already in the store, the naive path has no store to start from.
 */
async function measureNaive(target: RelayBenchTarget, payload: Uint8Array): Promise<Timings> {
  const naive = await NaiveEventPath.create(target.databaseUrl, target.natsUrl, target.namespace, 'throughput');
  try {
    const consumption = await naive.consume(NAIVE_EVENTS, (message) => {
      const event = decodeEventMessage(message.data);
      if (!isEventOf(event, UserRegisteredSchema)) throw new Error(`unexpected ${event.subject}`);
      return { eventId: message.headers?.get('Nats-Msg-Id') ?? '', streamId: event.envelope.streamId, telegramUserId: message.seq };
    });
    try {
      const start = performance.now();
      await runWorkers(RAW_PUBLISH_WINDOW, NAIVE_EVENTS, async (_, task) => {
        const id = randomUUID();
        await naive.produce(id, `user-${id}`, { telegramUserId: task, firstName: `bench user ${task}` }, payload);
      });
      const publishedMs = performance.now() - start;
      const lastApplied = await withTimeout(consumption.lastArrival, 120_000, 'the naive consumer to apply every message').catch(async (error: unknown) => {
        throw new Error(`${messageOf(error)} (${await naive.effects()} of ${NAIVE_EVENTS} effects written)`);
      });
      if ((await naive.effects()) !== NAIVE_EVENTS) throw new Error('the naive consumer did not write one effect per event');
      return { publishedMs, consumedMs: lastApplied - start };
    } finally {
      await consumption.close();
    }
  } finally {
    await naive.close();
  }
}

/** What JetStream and the dead-letter stream say, for a run that stopped short. */
async function describeStuckPipeline(bus: JetStreamEventBus, consumer: RunningConsumer): Promise<string> {
  try {
    const stream = bus.naming.streamOf(PRODUCER_SERVICE);
    const streamInfo = await bus.jsm.streams.info(stream);
    const info = await bus.jsm.consumers.info(stream, consumer.name);
    const deadLetters = await consumer.deadLetters();
    return [
      `stream ${stream}: ${streamInfo.state.messages} messages (the store holds ${EVENTS} events)`,
      `consumer ${consumer.name}: delivered stream seq ${info.delivered.stream_seq}, ack floor stream seq ${info.ack_floor.stream_seq}, ` +
        `ack pending ${info.num_ack_pending}, pending ${info.num_pending}, redelivered ${info.num_redelivered}, waiting pulls ${info.num_waiting}`,
      `dead letters: ${deadLetters.length}${deadLetters.length ? ` (first: ${deadLetters[0].reason})` : ''}`,
    ].join('\n');
  } catch (error) {
    return `(could not read the pipeline's state: ${messageOf(error)})`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
