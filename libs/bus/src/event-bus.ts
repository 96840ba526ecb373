import type { BusObserver } from './observability/bus-observer.js';
import type { DecodedEvent } from '@botplatform/contracts';
import type { PostgresEventStore, RecordedEvent } from '@botplatform/event-store';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/** A public event a producer publishes for one of its stored events. */
export interface PublicEventDraft<Desc extends DescMessage = DescMessage> {
  readonly schema: Desc;
  readonly message: MessageInitShape<Desc>;
}

/**
 * Turns a stored (internal) event into the public contract, or `null` for events other services
 * never see. Internal events may change freely; the public ones only grow (see proto/).
 */
export type PublicEventMapper = (event: RecordedEvent) => PublicEventDraft | null;

/** A service whose store feeds the bus. */
export interface ProducerDefinition {
  /** Lower-case service name, e.g. `users`: the first token of its subjects. */
  readonly service: string;
  readonly store: PostgresEventStore;
  readonly toPublic: PublicEventMapper;
  /** Told of each relay round (metrics); the embedded bus has no relay. */
  readonly observer?: BusObserver;
}

/** How a consumer is run besides its definition. */
export interface ConsumeOptions {
  /** Told of every settled delivery (metrics). */
  readonly observer?: BusObserver;
}

export interface ConsumerContext {
  /** The consumer service's entity manager, inside the transaction that also records the event id. */
  readonly em: EntityManager;
  /** 1 on the first delivery. */
  readonly attempt: number;
  /**
   * Runs `callback` once this transaction has committed (never when it rolls back), outside its async
   * context: what the callback starts (a worker told the rows are there) opens transactions of its
   * own, not ones that inherit this transaction's entity manager or its event subscribers. An error
   * it throws goes to the transport's `onError`; the events stay applied.
   */
  afterCommit(callback: () => void): void;
}

interface ConsumerSettings {
  /** `<consumer-service>--<purpose>`. */
  readonly name: string;
  /** The producing service. */
  readonly source: string;
  /** Public subjects handled, e.g. `users.user.registered.v1`; the producer's other known events are skipped. */
  readonly subjects: readonly string[];
  /** Deliveries in all before the event is dead-lettered (default 5). */
  readonly maxDeliver?: number;
  /** Delay before the n-th redelivery, the last value repeating (default 0.5 s, 2 s, 10 s, 30 s). */
  readonly backoffMs?: readonly number[];
}

/**
 * A durable consumer: one service reacting to another's public events, one at a time (`handle`) or a
 * run at a time (`handleBatch`, for projections that write many rows in one statement). Either way the
 * effects and the events' inbox rows commit in one transaction, so a redelivered event has no second
 * effect. Throw `ParkEventError` for an event that can never succeed; any other error is retried. When
 * a batch fails, its events are replayed one by one so only the failing one is retried or parked.
 */
export type ConsumerDefinition = EventConsumerDefinition | BatchConsumerDefinition;

export interface EventConsumerDefinition extends ConsumerSettings {
  handle(event: DecodedEvent, context: ConsumerContext): Promise<void>;
  readonly handleBatch?: never;
}

export interface BatchConsumerDefinition extends ConsumerSettings {
  /** The events of one run, in order, none applied before. */
  handleBatch(events: readonly DecodedEvent[], context: ConsumerContext): Promise<void>;
  readonly handle?: never;
}

/** An event a consumer gave up on, with the reason. */
export interface DeadLetter {
  /** Identifies the letter within its consumer's dead letters. */
  readonly id: string;
  readonly consumer: string;
  /** Public subject, or the raw one when it was not a known event. */
  readonly subject: string;
  readonly eventId: string | null;
  readonly attempts: number;
  readonly reason: string;
  readonly data: Uint8Array;
  readonly deadAt: Date;
}

export interface RunningConsumer {
  readonly name: string;
  /** What this consumer parked, oldest first. */
  deadLetters(): Promise<DeadLetter[]>;
  /**
   * Applies the parked events again, oldest first, once their cause is fixed (same inbox, so an event
   * applied meanwhile is not applied twice). Letters that now succeed are removed; the others stay.
   */
  replayDeadLetters(): Promise<DeadLetterReplay>;
  stop(): Promise<void>;
}

export interface DeadLetterReplay {
  readonly replayed: number;
  /** Letters that failed again, with this attempt's reason. */
  readonly stillFailing: readonly { readonly id: string; readonly reason: string }[];
}

export interface RunningProducer {
  readonly service: string;
  stop(): Promise<void>;
}

/**
 * One interface, two transports: NATS JetStream between processes, and the embedded one that reads
 * producers' stores in-process. Both give the same guarantees: each event's effect applied once per
 * consumer, order kept within each store stream, bounded retries, dead letters with a reason.
 */
export interface EventBus {
  /** Starts publishing a service's public events (JetStream: the relay; embedded: registers the store). */
  publishFrom(producer: ProducerDefinition): Promise<RunningProducer>;
  /** Starts a durable consumer whose effects live in `orm` (the consumer service's database). */
  consume(definition: ConsumerDefinition, orm: MikroORM, options?: ConsumeOptions): Promise<RunningConsumer>;
  /** Resolves with a state text while the bus can carry events; throws `BusUnavailableError` when not. */
  health(): Promise<string>;
  close(): Promise<void>;
}

/** Thrown by a handler for an event that can never succeed: it is dead-lettered at once. */
export class ParkEventError extends Error {
  readonly code = 'BUS.PARK_EVENT';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ParkEventError';
  }
}

/** The bus cannot carry events now (its broker connection is down or closed). */
export class BusUnavailableError extends Error {
  readonly code = 'BUS.UNAVAILABLE';
  constructor(reason: string) {
    super(reason);
    this.name = 'BusUnavailableError';
  }
}
