/** Base of every error the event store raises on purpose: a stable `code` callers can switch on. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Optimistic concurrency: the stream moved on since the state the command was decided against. */
export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'EVENT_STORE.WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    /** `undefined` when the conflict aborted the caller's transaction, so the version could not be read. */
    readonly actualVersion: number | undefined,
  ) {
    super(
      actualVersion === undefined
        ? `stream ${streamId} moved past the expected version ${expectedVersion}`
        : `stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}`,
    );
  }
}

/** A stored event whose schema version no upcaster chain can bring to the version this code reads. */
export class UnknownEventVersionError extends EventStoreError {
  readonly code = 'EVENT_STORE.UNKNOWN_EVENT_VERSION';
  constructor(
    readonly eventType: string,
    readonly schemaVersion: number,
    readonly currentVersion: number,
  ) {
    super(`event ${eventType} v${schemaVersion} cannot be read as v${currentVersion}`);
  }
}

/** Input the store refuses before touching the database: nothing is written. */
export class InvalidAppendError extends EventStoreError {
  readonly code = 'EVENT_STORE.INVALID_APPEND';
}

/** The command handler gave up after its retries kept losing the race for a stream. */
export class ConcurrencyRetriesExhaustedError extends EventStoreError {
  readonly code = 'EVENT_STORE.CONCURRENCY_RETRIES_EXHAUSTED';
  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`stream ${streamId}: still conflicting after ${attempts} attempts`);
  }
}
