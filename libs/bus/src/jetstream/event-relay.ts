import { headers } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Checkpoint, RecordedEvent } from '@botplatform/event-store';
import type { BusNaming } from '../bus-naming.js';
import type { ProducerDefinition, RunningProducer } from '../event-bus.js';
import { PollTimer } from '../poll-timer.js';
import { SpanKind, contextFromHeaders, inSpan, traceHeaders } from '../observability/trace-context.js';
import { encodePublicEvent } from '../public-event.js';

export interface EventRelayOptions {
  /** Events read and published per round (default 500). */
  readonly batchSize?: number;
  /** Idle poll, for appends made by other processes (default 100 ms); in-process appends wake it at once. */
  readonly pollIntervalMs?: number;
  /** Pause after a failed round (default 500 ms). */
  readonly retryDelayMs?: number;
  /** Crash-test seam: runs after the publish acks and before the checkpoint moves. */
  readonly afterPublish?: () => Promise<void> | void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Publishes a service's public events to JetStream in commit order. The event store is the outbox:
 * nothing is published inside a request. Each event goes out with `Nats-Msg-Id` = its event id, and
 * the checkpoint moves only after JetStream acknowledged the whole round, so a crash between the two
 * republishes the round and JetStream's duplicate window drops what it already has.
 */
export class EventRelay implements RunningProducer {
  readonly service: string;
  private readonly checkpointName: string;
  private running = true;
  private readonly timer = new PollTimer();
  private readonly loop: Promise<void>;
  private readonly unsubscribe: () => void;
  /** The last error of a round, cleared by the next good round (for health checks). */
  lastError: unknown;
  published = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly naming: BusNaming,
    private readonly producer: ProducerDefinition,
    private readonly options: EventRelayOptions = {},
  ) {
    this.service = producer.service;
    this.checkpointName = `relay:jetstream:${naming.namespace || 'default'}`;
    this.unsubscribe = producer.store.onAppended(() => this.timer.wake());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe();
    this.timer.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    while (this.running) {
      let moved = 0;
      try {
        await this.producer.store.advanceCheckpoint(this.checkpointName, async (checkpoint) => {
          const page = await this.producer.store.readAll({ after: checkpoint, limit: batchSize });
          if (page.events.length === 0) return undefined;
          const oldestRecordedAt = page.events[0].metadata.recordedAt.getTime();
          const published = await this.publish(page.events);
          this.producer.observer?.relayRound?.(published, page.events.length, Math.max(0, (Date.now() - oldestRecordedAt) / 1_000));
          await this.options.afterPublish?.();
          moved = page.events.length;
          return page.checkpoint satisfies Checkpoint;
        });
        this.lastError = undefined;
      } catch (error) {
        this.lastError = error;
        this.options.onError?.(error);
        await this.timer.sleep(this.options.retryDelayMs ?? 500, { wakeable: false });
        continue;
      }
      if (moved < batchSize) await this.timer.sleep(this.options.pollIntervalMs ?? 100);
    }
  }

  /** Publishes the events' public forms; returns how many there were. */
  private async publish(events: readonly RecordedEvent[]): Promise<number> {
    const acks: Promise<unknown>[] = [];
    for (const event of events) {
      const encoded = encodePublicEvent(event, this.producer.toPublic);
      if (!encoded) continue;
      const hdrs = headers();
      hdrs.set('Nats-Msg-Id', encoded.eventId);
      const subject = this.naming.wireSubject(encoded.subject);
      // Continues the trace of the request that appended the event (kept in the store), so the
      // consumers' spans join it too. Published back to back on one connection, so JetStream stores
      // them in this order: the span is started and the publish sent synchronously.
      const { traceParent } = event.metadata;
      acks.push(
        inSpan(
          `publish ${encoded.subject}`,
          {
            parent: traceParent ? contextFromHeaders({ traceparent: traceParent }) : undefined,
            kind: SpanKind.PRODUCER,
            attributes: { 'messaging.message.id': encoded.eventId },
          },
          async () => {
            for (const [key, value] of Object.entries(traceHeaders())) hdrs.set(key, value);
            return this.js.publish(subject, encoded.bytes, { headers: hdrs });
          },
        ),
      );
    }
    await Promise.all(acks);
    this.published += acks.length;
    return acks.length;
  }
}
