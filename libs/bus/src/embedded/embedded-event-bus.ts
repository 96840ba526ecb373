import { runSql, START, type Checkpoint, type RecordedEvent } from '@botplatform/event-store';
import type { MikroORM } from '@mikro-orm/postgresql';
import { assertConsumerName } from '../bus-naming.js';
import { ConsumerCore, type Delivery } from '../consumer-core.js';
import type {
  ConsumeOptions,
  ConsumerDefinition,
  DeadLetter,
  DeadLetterReplay,
  EventBus,
  ProducerDefinition,
  RunningConsumer,
  RunningProducer,
} from '../event-bus.js';
import { PollTimer } from '../poll-timer.js';
import { encodePublicEvent } from '../public-event.js';

export interface EmbeddedEventBusOptions {
  /** Idle poll of the producer's store (default 100 ms); in-process appends wake consumers at once. */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * The bus inside one process, with no broker: each consumer reads its producer's event store in
 * commit order, through the same mapper and codec as the relay, and keeps its position, inbox and
 * dead letters in its own schema. Same consumer API and guarantees as JetStream.
 */
export class EmbeddedEventBus implements EventBus {
  private readonly producers = new Map<string, ProducerDefinition>();
  private readonly producerListeners = new Set<() => void>();
  private readonly running = new Set<EmbeddedConsumer>();

  constructor(private readonly options: EmbeddedEventBusOptions = {}) {}

  async publishFrom(producer: ProducerDefinition): Promise<RunningProducer> {
    this.producers.set(producer.service, producer);
    for (const listener of this.producerListeners) listener();
    return {
      service: producer.service,
      stop: async () => {
        this.producers.delete(producer.service);
      },
    };
  }

  async consume(definition: ConsumerDefinition, orm: MikroORM, options: ConsumeOptions = {}): Promise<RunningConsumer> {
    assertConsumerName(definition.name);
    const consumer = new EmbeddedConsumer(new ConsumerCore(definition, orm, this.options.onError, options.observer), orm, this, this.options);
    this.running.add(consumer);
    return consumer;
  }

  /** Always up: it lives in this process and reads the producers' stores directly. */
  async health(): Promise<string> {
    return 'in-process';
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((c) => c.stop()));
    this.running.clear();
  }

  /** @internal the producer a consumer reads, once it is registered. */
  producer(service: string): ProducerDefinition | undefined {
    return this.producers.get(service);
  }

  /** @internal */
  onProducerRegistered(listener: () => void): () => void {
    this.producerListeners.add(listener);
    return () => this.producerListeners.delete(listener);
  }
}

class EmbeddedConsumer implements RunningConsumer {
  readonly name: string;
  private running = true;
  private readonly timer = new PollTimer();
  private readonly loop: Promise<void>;
  /** Failed attempts per event id, so retries count like JetStream's deliveries. */
  private readonly attempts = new Map<string, number>();
  private readonly schema: string;

  constructor(
    private readonly core: ConsumerCore,
    private readonly orm: MikroORM,
    private readonly bus: EmbeddedEventBus,
    private readonly options: EmbeddedEventBusOptions,
  ) {
    this.name = core.definition.name;
    this.schema = `"${orm.config.get('schema')}"`;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer.close();
    await this.loop;
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const rows = await runSql<{
      id: string;
      subject: string;
      event_id: string | null;
      attempts: number;
      reason: string;
      data: Buffer;
      dead_at: string;
    }>(
      this.orm.em,
      `SELECT id::text, subject, event_id, attempts, reason, data, to_json(dead_at) #>> '{}' AS dead_at
       FROM ${this.schema}.bus_dead_letters WHERE consumer = $1 ORDER BY id`,
      [this.name],
    );
    return rows.map((row) => ({
      id: row.id,
      consumer: this.name,
      subject: row.subject,
      eventId: row.event_id,
      attempts: row.attempts,
      reason: row.reason,
      data: new Uint8Array(row.data),
      deadAt: new Date(row.dead_at),
    }));
  }

  async replayDeadLetters(): Promise<DeadLetterReplay> {
    return this.core.replayDeadLetters(
      await this.deadLetters(),
      (letter) => runSql(this.orm.em, `DELETE FROM ${this.schema}.bus_dead_letters WHERE id = $1`, [letter.id]),
      (letter) => this.freshCopy(letter),
    );
  }

  /**
   * The letter as the producer would publish it now: read again from its store and mapped again, so a
   * fix in the producer's mapper also rescues events that could not be published at all.
   */
  private async freshCopy(letter: DeadLetter): Promise<Pick<Delivery, 'subject' | 'data' | 'unreadable'>> {
    const producer = this.bus.producer(this.core.definition.source);
    const stored = letter.eventId && producer ? await producer.store.readEvent(letter.eventId) : undefined;
    if (!stored || !producer) return letter;
    return this.toDelivery(stored, producer) ?? { subject: letter.subject, data: letter.data, unreadable: 'the producer no longer publishes this event' };
  }

  private async run(): Promise<void> {
    const source = this.core.definition.source;
    const unsubscribeRegistration = this.bus.onProducerRegistered(() => this.timer.wake());
    let unsubscribeAppends: (() => void) | undefined;
    try {
      let position = await this.loadPosition();
      while (this.running) {
        const producer = this.bus.producer(source);
        if (!producer) {
          await this.timer.sleep(this.options.pollIntervalMs ?? 100);
          continue;
        }
        unsubscribeAppends ??= producer.store.onAppended(() => this.timer.wake());
        try {
          const { events } = await producer.store.readAll({ after: position, limit: this.options.batchSize ?? 256 });
          if (events.length === 0) {
            await this.timer.sleep(this.options.pollIntervalMs ?? 100);
            continue;
          }
          position = await this.applyPage(events, producer, position);
        } catch (error) {
          this.options.onError?.(error);
          await this.timer.sleep(500, { wakeable: false });
        }
      }
    } finally {
      unsubscribeRegistration();
      unsubscribeAppends?.();
    }
  }

  /** Applies a page in order and returns the position after the last event settled. */
  private async applyPage(events: readonly RecordedEvent[], producer: ProducerDefinition, from: Checkpoint): Promise<Checkpoint> {
    const published: { event: RecordedEvent; delivery: Delivery }[] = [];
    for (const event of events) {
      const delivery = this.toDelivery(event, producer);
      if (delivery) published.push({ event, delivery });
    }
    const outcomes = await this.core.apply(published.map((p) => p.delivery));
    // Internal events (mapped to nothing) are passed over along with the published ones around them.
    let settledThrough = events.length;
    for (let i = 0; i < published.length; i++) {
      const { event, delivery } = published[i];
      const outcome = outcomes[i];
      if (outcome.kind === 'retry' || outcome.kind === 'blocked') {
        if (outcome.kind === 'retry') {
          this.attempts.set(event.metadata.eventId, delivery.attempt);
          await this.timer.sleep(outcome.delayMs, { wakeable: false });
        }
        settledThrough = events.indexOf(event);
        break;
      }
      this.attempts.delete(event.metadata.eventId);
      if (outcome.kind === 'park') {
        await runSql(
          this.orm.em,
          `INSERT INTO ${this.schema}.bus_dead_letters (consumer, subject, event_id, attempts, reason, data)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [this.name, delivery.subject, event.metadata.eventId, outcome.attempts, outcome.reason, Buffer.from(delivery.data)],
        );
      }
    }
    if (settledThrough === 0) return from;
    const last = events[settledThrough - 1].metadata;
    const position = { transactionId: last.transactionId, globalPosition: last.globalPosition };
    await this.savePosition(position);
    return position;
  }

  private toDelivery(event: RecordedEvent, producer: ProducerDefinition): Delivery | null {
    const attempt = (this.attempts.get(event.metadata.eventId) ?? 0) + 1;
    try {
      const encoded = encodePublicEvent(event, producer.toPublic);
      // The store keeps the appending request's trace context: the consumer continues that trace.
      const headers = event.metadata.traceParent ? { traceparent: event.metadata.traceParent } : undefined;
      return encoded && { subject: encoded.subject, data: encoded.bytes, attempt, headers };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { subject: `${producer.service}:${event.type}`, data: new Uint8Array(), attempt, unreadable: `cannot publish stored ${event.type}: ${reason}` };
    }
  }

  private async loadPosition(): Promise<Checkpoint> {
    const [row] = await runSql<{ transaction_id: string; global_position: string }>(
      this.orm.em,
      `SELECT transaction_id::text, global_position::text FROM ${this.schema}.bus_consumer_positions WHERE consumer = $1`,
      [this.name],
    );
    return row ? { transactionId: row.transaction_id, globalPosition: row.global_position } : START;
  }

  private async savePosition(position: Checkpoint): Promise<void> {
    await runSql(
      this.orm.em,
      `INSERT INTO ${this.schema}.bus_consumer_positions (consumer, transaction_id, global_position)
       VALUES ($1, $2::xid8, $3::bigint)
       ON CONFLICT (consumer) DO UPDATE SET transaction_id = excluded.transaction_id,
         global_position = excluded.global_position, updated_at = now()`,
      [this.name, position.transactionId, position.globalPosition],
    );
  }
}
