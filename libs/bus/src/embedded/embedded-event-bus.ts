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
import { ProducerFeed, type FeedReader } from './producer-feed.js';

export interface EmbeddedEventBusOptions {
  /** Idle poll of the producer's store (default 100 ms); in-process appends wake consumers at once. */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /**
   * How long a consumer may keep the position it reached in memory only while it has work (default
   * 1,000 ms): it is written when the consumer goes idle, after this long, on stop, and at once after
   * parking an event. A restart from an older position re-reads events the inbox then passes over.
   */
  readonly positionFlushMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * The bus inside one process, with no broker: each consumer reads its producer's event store in
 * commit order, through the same mapper and codec as the relay, and keeps its position, inbox and
 * dead letters in its own schema. Same consumer API and guarantees as JetStream. The consumers of one
 * producer share its reads (`ProducerFeed`).
 */
export class EmbeddedEventBus implements EventBus {
  private readonly producers = new Map<string, ProducerFeed>();
  private readonly producerListeners = new Set<() => void>();
  private readonly running = new Set<EmbeddedConsumer>();

  constructor(private readonly options: EmbeddedEventBusOptions = {}) {}

  async publishFrom(producer: ProducerDefinition): Promise<RunningProducer> {
    const batchSize = this.options.batchSize ?? 256;
    const feed = new ProducerFeed(producer, batchSize, 4 * batchSize);
    this.producers.get(producer.service)?.close();
    this.producers.set(producer.service, feed);
    for (const listener of this.producerListeners) listener();
    return {
      service: producer.service,
      stop: async () => {
        if (this.producers.get(producer.service) !== feed) return;
        this.producers.delete(producer.service);
        feed.close();
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

  /**
   * Whether every consumer has found nothing new at its producer's head since the last append it was
   * told of: the bus's work is done for now (a bench waits for it between phases; a later append by
   * another process is only seen at the next poll).
   */
  caughtUp(): boolean {
    return [...this.running].every((consumer) => consumer.caughtUp);
  }

  /** @internal the producer a consumer reads (and the reads its consumers share), once it is registered. */
  producer(service: string): ProducerFeed | undefined {
    return this.producers.get(service);
  }

  /** @internal */
  onProducerRegistered(listener: () => void): () => void {
    this.producerListeners.add(listener);
    return () => this.producerListeners.delete(listener);
  }
}

class EmbeddedConsumer implements RunningConsumer, FeedReader {
  readonly name: string;
  lastRead = 0;
  /** Found nothing new at the head since its last wake (see `EmbeddedEventBus.caughtUp`). */
  caughtUp = false;
  private appendsSeen = 0;
  private running = true;
  private readonly timer = new PollTimer();
  private readonly loop: Promise<void>;
  /** Failed attempts per event id, so retries count like JetStream's deliveries. */
  private readonly attempts = new Map<string, number>();
  private readonly schema: string;
  /** The position last written (or loaded), and when: the one reached may run ahead of it. */
  private saved: Checkpoint | undefined;
  private savedAt = Date.now();

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
    const feed = this.bus.producer(this.core.definition.source);
    const stored = letter.eventId && feed ? await feed.producer.store.readEvent(letter.eventId) : undefined;
    if (!stored || !feed) return letter;
    return this.toDelivery(stored, feed) ?? { subject: letter.subject, data: letter.data, unreadable: 'the producer no longer publishes this event' };
  }

  private async run(): Promise<void> {
    const source = this.core.definition.source;
    const unsubscribeRegistration = this.bus.onProducerRegistered(() => this.timer.wake());
    let unsubscribeAppends: (() => void) | undefined;
    const flushMs = this.options.positionFlushMs ?? 1_000;
    try {
      let position = await this.loadPosition();
      this.saved = position;
      while (this.running) {
        const feed = this.bus.producer(source);
        if (!feed) {
          // Nothing to read until its producer is registered.
          this.caughtUp = true;
          await this.timer.sleep(this.options.pollIntervalMs ?? 100);
          continue;
        }
        unsubscribeAppends ??= feed.producer.store.onAppended(() => {
          this.appendsSeen++;
          this.caughtUp = false;
          this.timer.wake();
        });
        const appendsBefore = this.appendsSeen;
        try {
          const events = await feed.read(this, position, this.options.batchSize ?? 256);
          if (events.length === 0) {
            // Not if an append came while reading: that read may have started before it.
            this.caughtUp = this.appendsSeen === appendsBefore;
            // Caught up: the position reached is written now, before the wait, not once per page.
            await this.savePosition(position);
            await this.timer.sleep(this.options.pollIntervalMs ?? 100);
            continue;
          }
          this.caughtUp = false;
          const page = await this.applyPage(events, feed, position);
          position = page.position;
          if (page.parked || Date.now() - this.savedAt >= flushMs) await this.savePosition(position);
        } catch (error) {
          this.options.onError?.(error);
          await this.timer.sleep(500, { wakeable: false });
        }
      }
      await this.savePosition(position).catch((error: unknown) => this.options.onError?.(error));
    } finally {
      unsubscribeRegistration();
      unsubscribeAppends?.();
    }
  }

  /**
   * Applies a page in order and returns the position after the last event settled, and whether it
   * parked any: a parked event's position is written at once, for a restart from before it would try
   * it again (its dead letter twice, or applied out of order), where an applied one is in the inbox.
   */
  private async applyPage(events: readonly RecordedEvent[], feed: ProducerFeed, from: Checkpoint): Promise<{ position: Checkpoint; parked: boolean }> {
    const published: { event: RecordedEvent; delivery: Delivery }[] = [];
    let parked = false;
    for (const event of events) {
      const delivery = this.toDelivery(event, feed);
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
        parked = true;
        await runSql(
          this.orm.em,
          `INSERT INTO ${this.schema}.bus_dead_letters (consumer, subject, event_id, attempts, reason, data)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [this.name, delivery.subject, event.metadata.eventId, outcome.attempts, outcome.reason, Buffer.from(delivery.data)],
        );
      }
    }
    if (settledThrough === 0) return { position: from, parked };
    const last = events[settledThrough - 1].metadata;
    return { position: { transactionId: last.transactionId, globalPosition: last.globalPosition }, parked };
  }

  private toDelivery(event: RecordedEvent, feed: ProducerFeed): Delivery | null {
    const attempt = (this.attempts.get(event.metadata.eventId) ?? 0) + 1;
    const { producer } = feed;
    try {
      const encoded = feed.encode(event);
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

  /** Writes the position unless it is the one written last. */
  private async savePosition(position: Checkpoint): Promise<void> {
    if (this.saved && this.saved.transactionId === position.transactionId && this.saved.globalPosition === position.globalPosition) return;
    await runSql(
      this.orm.em,
      `INSERT INTO ${this.schema}.bus_consumer_positions (consumer, transaction_id, global_position)
       VALUES ($1, $2::xid8, $3::bigint)
       ON CONFLICT (consumer) DO UPDATE SET transaction_id = excluded.transaction_id,
         global_position = excluded.global_position, updated_at = now()`,
      [this.name, position.transactionId, position.globalPosition],
    );
    this.saved = position;
    this.savedAt = Date.now();
  }
}
