import { JetStreamEventBus, encodePublicEvent } from '@botplatform/bus';
import { UserRegisteredSchema, decodeEventMessage, isEventOf } from '@botplatform/contracts';
import { PostgresEventStore } from '@botplatform/event-store';
import type { EventSubscriber } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import {
  PRODUCER_SERVICE,
  REGISTERED_SUBJECT,
  appendedAtOf,
  benchContext,
  benchProducerMapper,
  effectConsumer,
  nowMs,
  openConsumerOrm,
  openProducerOrm,
  registered,
} from './fixtures.js';
import { NaiveEventPath } from './naive-durable.js';
import { RawJetStream } from './raw-jetstream.js';
import { PartialScenarioError, type BenchLine } from './report.js';
import { paced, percentile, waitUntil, withTimeout } from './timing.js';

/** The first second runs at the same rate but is not counted: connections, JIT and plans warm up. */
const WARM_UP_SECONDS = 1;

/** A steady rate, measured for some seconds after the warm-up; the aims are set at 200/s, 2,000/s is reported. */
interface Rate {
  readonly perSecond: number;
  readonly measuredSeconds: number;
  readonly aims?: { readonly p50: number; readonly p99: number };
}

const RATES: readonly Rate[] = [
  { perSecond: 200, measuredSeconds: 10, aims: { p50: 1.5, p99: 2 } },
  { perSecond: 2_000, measuredSeconds: 3 },
];

/** Warm-up and total events at a rate. */
function countsOf(rate: Rate): { warmUp: number; total: number } {
  return { warmUp: rate.perSecond * WARM_UP_SECONDS, total: rate.perSecond * (WARM_UP_SECONDS + rate.measuredSeconds) };
}

export interface LatencyBenchTarget {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly namespace: string;
}

/**
 * End-to-end latency at a steady rate with everything running. Ours: from just before
 * `PostgresEventStore.append` (the time rides in the event) to the commit of the consumer's
 * transaction holding the effect. Raw: from just before a JetStream publish (the time rides in the
 * payload, which has the same size as our encoded event) to its arrival at a durable pull consumer.
 * Both sides send open-loop on the same schedule, one event per append, each to a new stream.
 */
export async function runLatencyBench(target: LatencyBenchTarget, log: (line: string) => void): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const failures: string[] = [];
  for (const rate of RATES) {
    // One rate failing (the machine cannot sustain it) must not hide the other's figures.
    try {
      lines.push(...(await measureAt(rate, { ...target, namespace: `${target.namespace}_${rate.perSecond}` }, log)));
    } catch (error) {
      failures.push(`at ${rate.perSecond}/s: ${error instanceof Error ? error.message : String(error)}`);
      log(`  FAILED at ${rate.perSecond}/s: ${failures[failures.length - 1]}`);
    }
  }
  if (failures.length) throw new PartialScenarioError(failures.join('; '), lines);
  return lines;
}

/**
 * One rate: ours, raw and naive, each on its own schemas and streams (a relay's checkpoint is per
 * namespace, so a producer schema shared between rates would republish the earlier rate's events).
 */
async function measureAt(rate: Rate, target: LatencyBenchTarget, log: (line: string) => void): Promise<BenchLine[]> {
  const producerOrm = await openProducerOrm(target.databaseUrl, `latency_producer_${rate.perSecond}`);
  const consumerSchema = `latency_consumer_${rate.perSecond}`;
  const consumerOrm = await openConsumerOrm(target.databaseUrl, consumerSchema);
  try {
    const store = new PostgresEventStore(producerOrm.em, { schema: `latency_producer_${rate.perSecond}` });
    const ours = await measureOurs(rate, target, store, `latency_producer_${rate.perSecond}`, consumerOrm, consumerSchema);
    const payload = await payloadOfOneEvent(store);
    const raw = await measureRaw(rate, target, payload);
    const naive = await measureNaive(rate, target, payload);
    const lines: BenchLine[] = [50, 99].map((p) => ({
      scenario: 'latency',
      line: `latency append → effect p${p}, ${rate.perSecond}/s for ${rate.measuredSeconds} s`,
      unit: 'ms',
      better: 'lower',
      ours: percentile(ours.total, p),
      raw: percentile(raw, p),
      naive: percentile(naive, p),
      aim: rate.aims ? { on: 'naive', ratio: p === 50 ? rate.aims.p50 : rate.aims.p99 } : { on: 'none' },
      details: {
        samples: ours.total.length,
        [`oursAppendCallP${p}Ms`]: percentile(ours.appendCall, p),
        [`oursAppendToNatsP${p}Ms`]: percentile(ours.appendToNats, p),
        [`oursNatsToHandlerP${p}Ms`]: percentile(ours.natsToHandler, p),
        [`oursHandlerToCommitP${p}Ms`]: percentile(ours.handlerToCommit, p),
      },
    }));
    for (const line of lines) log(`  ${line.line}: ours ${line.ours.toFixed(2)} ms, raw ${line.raw.toFixed(2)} ms, naive ${line.naive?.toFixed(2)} ms`);
    for (const p of [50, 99]) {
      log(
        `    ours, p${p} of each part: append call ${percentile(ours.appendCall, p).toFixed(2)} ms, ` +
          `append → on NATS (relay) ${percentile(ours.appendToNats, p).toFixed(2)} ms, ` +
          `on NATS → handler ${percentile(ours.natsToHandler, p).toFixed(2)} ms, ` +
          `handler → commit ${percentile(ours.handlerToCommit, p).toFixed(2)} ms`,
      );
    }
    return lines;
  } finally {
    await consumerOrm.close(true);
    await producerOrm.close(true);
  }
}

interface OurSamples {
  /** Append start → consumer's effect committed. */
  readonly total: number[];
  /** How long `append` itself took. */
  readonly appendCall: number[];
  /** Append start → the relay's publish seen on NATS (a plain subscription on the event's subject). */
  readonly appendToNats: number[];
  /** Seen on NATS → the handler runs (JetStream storage, delivery to the pull consumer, batching). */
  readonly natsToHandler: number[];
  /** Handler start → the consumer's transaction committed. */
  readonly handlerToCommit: number[];
}

async function measureOurs(
  rate: Rate,
  target: LatencyBenchTarget,
  store: PostgresEventStore,
  schema: string,
  consumerOrm: MikroORM,
  consumerSchema: string,
): Promise<OurSamples> {
  const { warmUp: WARM_UP_EVENTS, total: TOTAL_EVENTS } = countsOf(rate);
  // BENCH_APPEND_ELSEWHERE=1: the appends go through another ORM and store, as from another process
  // (another replica of the service): the relay's in-process wake-up never sees them.
  const elsewhere = process.env.BENCH_APPEND_ELSEWHERE === '1' ? await openProducerOrm(target.databaseUrl, schema) : undefined;
  const writer = elsewhere ? new PostgresEventStore(elsewhere.em, { schema }) : store;
  try {
    return await measureOursWith(writer);
  } finally {
    await elsewhere?.close(true);
  }

  async function measureOursWith(writer: PostgresEventStore): Promise<OurSamples> {
    const samples: OurSamples = { total: [], appendCall: [], appendToNats: [], natsToHandler: [], handlerToCommit: [] };
    const seenOnNatsAt = new Map<number, number>();
    // The handler runs inside the consumer's transaction; the effect only exists once it commits, so the
    // clock stops at the commit. Only the consumer uses this ORM, one transaction at a time.
    let uncommitted: { sequence: number; appendedAt: number; handledAt: number }[] = [];
    const commitClock: EventSubscriber = {
      afterTransactionCommit: () => {
        const committedAt = nowMs();
        for (const event of uncommitted) {
          if (event.sequence < WARM_UP_EVENTS) continue;
          const onNatsAt = seenOnNatsAt.get(event.sequence) ?? Number.NaN;
          samples.total.push(committedAt - event.appendedAt);
          samples.appendToNats.push(onNatsAt - event.appendedAt);
          samples.natsToHandler.push(event.handledAt - onNatsAt);
          samples.handlerToCommit.push(committedAt - event.handledAt);
        }
        uncommitted = [];
      },
      afterTransactionRollback: () => {
        uncommitted = []; // redelivered, and then measured, later
      },
    };
    consumerOrm.em.getEventManager().registerSubscriber(commitClock);

    const errors: unknown[] = [];
    const bus = await JetStreamEventBus.connect(target.natsUrl, 'bench-latency', {
      namespace: target.namespace,
      relay: { onError: (error) => errors.push(error), listen: process.env.BENCH_RELAY_LISTEN !== '0' },
      consumer: { onError: (error) => errors.push(error) },
    });
    try {
      // Where the time goes: a plain NATS subscription sees each event the moment the relay publishes it.
      bus.connection.subscribe(bus.naming.wireSubject(REGISTERED_SUBJECT), {
        callback: (error, message) => {
          if (error) return;
          const event = decodeEventMessage(message.data);
          if (!isEventOf(event, UserRegisteredSchema)) return;
          const sequence = Number(event.message.telegramUserId);
          // The first sighting counts: a republished event (relay retry) is deduplicated by JetStream.
          if (!seenOnNatsAt.has(sequence)) seenOnNatsAt.set(sequence, nowMs());
        },
      });
      await bus.consume(
        effectConsumer('bench--latency', consumerSchema, (event) => {
          uncommitted.push({ sequence: Number(event.message.telegramUserId), appendedAt: appendedAtOf(event), handledAt: nowMs() });
        }),
        consumerOrm,
      );
      await bus.publishFrom({ service: PRODUCER_SERVICE, store, toPublic: benchProducerMapper });
      await paced(rate.perSecond, TOTAL_EVENTS, async (sequence) => {
        const appendedAt = nowMs();
        await writer.append(`user-${randomUUID()}`, 'no_stream', [registered(sequence, appendedAt)], benchContext());
        if (sequence >= WARM_UP_EVENTS) samples.appendCall.push(nowMs() - appendedAt);
      });
      const measured = TOTAL_EVENTS - WARM_UP_EVENTS;
      const progress = () =>
        `our consumer to apply every latency event (${samples.total.length} of ${measured} applied, ` + `${seenOnNatsAt.size} of ${TOTAL_EVENTS} seen on NATS)`;
      await waitUntil(
        progress,
        () => {
          if (errors.length) throw new Error(`the bus failed during the bench: ${String(errors[0])}`);
          return samples.total.length >= measured;
        },
        { timeoutMs: 30_000 },
      );
      return samples;
    } finally {
      await bus.close();
    }
  }
}

async function measureRaw(rate: Rate, target: LatencyBenchTarget, payload: Uint8Array): Promise<number[]> {
  const { warmUp: WARM_UP_EVENTS, total: TOTAL_EVENTS } = countsOf(rate);
  const latencies: number[] = [];
  const raw = await RawJetStream.create(target.natsUrl, target.namespace, 'latency');
  try {
    const consumption = await raw.consume(TOTAL_EVENTS, (message) => {
      const view = new DataView(message.data.buffer, message.data.byteOffset, message.data.byteLength);
      if (view.getUint32(8) >= WARM_UP_EVENTS) latencies.push(nowMs() - view.getFloat64(0));
    });
    try {
      await paced(rate.perSecond, TOTAL_EVENTS, async (sequence) => {
        const data = payload.slice();
        const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
        view.setUint32(8, sequence);
        view.setFloat64(0, nowMs());
        await raw.publish(data, randomUUID());
      });
      await withTimeout(consumption.lastArrival, 60_000, 'the raw consumer to receive every latency message');
    } finally {
      await consumption.close();
    }
  } finally {
    await raw.close();
  }
  return latencies;
}

/**
 * The naive durable path at the same rate: INSERT, publish and await the ack; the consumer INSERTs its
 * effect, then acks. From just before the INSERT (the time rides in the payload, as in raw) to the
 * consumer's INSERT committed (autocommit: when the statement returns).
 */
async function measureNaive(rate: Rate, target: LatencyBenchTarget, payload: Uint8Array): Promise<number[]> {
  const { warmUp: WARM_UP_EVENTS, total: TOTAL_EVENTS } = countsOf(rate);
  const latencies: number[] = [];
  const naive = await NaiveEventPath.create(target.databaseUrl, target.natsUrl, target.namespace, `latency_${rate.perSecond}`);
  try {
    const stampOf = (data: Uint8Array) => new DataView(data.buffer, data.byteOffset, data.byteLength);
    const consumption = await naive.consume(
      TOTAL_EVENTS,
      (message) => ({
        eventId: message.headers?.get('Nats-Msg-Id') ?? '',
        streamId: 'latency',
        telegramUserId: stampOf(message.data).getUint32(8),
      }),
      (message) => {
        const view = stampOf(message.data);
        if (view.getUint32(8) >= WARM_UP_EVENTS) latencies.push(nowMs() - view.getFloat64(0));
      },
    );
    try {
      await paced(rate.perSecond, TOTAL_EVENTS, async (sequence) => {
        const data = payload.slice();
        const view = stampOf(data);
        view.setUint32(8, sequence);
        view.setFloat64(0, nowMs());
        const id = randomUUID();
        await naive.produce(id, `user-${id}`, { telegramUserId: sequence }, data);
      });
      // The naive consumer commits once per event: at 2,000/s it falls behind and catches up afterwards.
      await withTimeout(consumption.lastArrival, 240_000, 'the naive consumer to apply every latency message');
    } finally {
      await consumption.close();
    }
  } finally {
    await naive.close();
  }
  return latencies;
}

/** An encoded event as our relay publishes it, so the raw messages have the same size. */
async function payloadOfOneEvent(store: PostgresEventStore): Promise<Uint8Array> {
  const [sample] = (await store.readAll({ limit: 1 })).events;
  const payload = sample && encodePublicEvent(sample, benchProducerMapper)?.bytes;
  if (!payload || payload.length < 12) throw new Error('no encoded event to size the raw messages by');
  return payload;
}
