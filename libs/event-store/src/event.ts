/**
 * An event as a decider sees it: a past-tense `type` and plain JSON `data` (timestamps as ISO strings),
 * so what is read back from the store equals what was decided.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/** Who caused an event. */
export interface Actor {
  readonly kind: 'user' | 'admin' | 'system' | 'service';
  readonly id: string;
}

/** What every event carries besides its data: the tenant, the causal chain and the actor. */
export interface EventContext {
  /** The tenant: every event belongs to one bot. */
  readonly botId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: Actor;
  readonly occurredAt: Date;
}

/** Where an event sits in the store: its stream position and its place in commit order. */
export interface StorePosition {
  /** The writing transaction (PostgreSQL xid8), as a decimal string. */
  readonly transactionId: string;
  /** Insertion sequence, unique across the store, as a decimal string. */
  readonly globalPosition: string;
}

export interface RecordedEventMetadata extends EventContext, StorePosition {
  readonly eventId: string;
  readonly streamId: string;
  /** 1-based position in its stream; equals the stream's version after this event. */
  readonly streamPosition: number;
  /** The schema version the event was written with (before upcasting). */
  readonly storedSchemaVersion: number;
  /** The schema version `data` has now, after upcasting. */
  readonly schemaVersion: number;
  readonly recordedAt: Date;
  /** W3C `traceparent` of the work that appended it, when that work was traced. */
  readonly traceParent: string | null;
}

/** An event read from the store, upcast to the version the reading code knows. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = E & { readonly metadata: RecordedEventMetadata };

/** Position in commit order from which `readAll` continues; `START` reads from the beginning. */
export type Checkpoint = StorePosition;
export const START: Checkpoint = Object.freeze({ transactionId: '0', globalPosition: '0' });

/** `no_stream`: the stream must not exist yet; `any`: no concurrency check; a number: the exact version. */
export type ExpectedVersion = number | 'no_stream' | 'any';
