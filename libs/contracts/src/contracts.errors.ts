/**
 * Errors raised by the contracts lib. Each has a stable `code` for programmatic handling and a
 * `reason` written for people: it is what a consumer puts in a dead-letter record, so it names the
 * offending value and says what was expected.
 */
export abstract class ContractsError extends Error {
  /** Stable machine-readable code, e.g. `CONTRACTS.UNKNOWN_EVENT_TYPE`. */
  abstract readonly code: string;

  protected constructor(
    /** Human explanation, suitable for a dead-letter record. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = new.target.name;
  }
}

/**
 * The event type and version (or schema) is not a public event of this contracts build: the
 * producer is newer than the consumer, the subject is misspelt, or the message has no
 * `(botplatform.bus.v1.event)` option.
 */
export class UnknownEventTypeError extends ContractsError {
  readonly code = 'CONTRACTS.UNKNOWN_EVENT_TYPE';

  constructor(reason: string) {
    super(reason);
  }
}

/**
 * Bytes that cannot be turned into a valid event: the envelope or payload does not parse
 * (truncated, garbage), the envelope lacks a required field, or the payload contradicts it.
 * Redelivering such a message can never succeed, so consumers dead-letter it at once.
 */
export class UndecodableEventError extends ContractsError {
  readonly code = 'CONTRACTS.UNDECODABLE';

  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
  }
}

/**
 * A producer tried to encode an envelope that consumers would reject (a required field empty, or
 * a payload for another bot). Raised before anything is published.
 */
export class InvalidEventEnvelopeError extends ContractsError {
  readonly code = 'CONTRACTS.INVALID_ENVELOPE';

  constructor(reason: string) {
    super(reason);
  }
}

/** A string is not an event subject of the form `<service>.<aggregate>.<event>.v<N>`. */
export class InvalidEventSubjectError extends ContractsError {
  readonly code = 'CONTRACTS.INVALID_SUBJECT';

  constructor(reason: string) {
    super(reason);
  }
}

/** A 64-bit integer from a contract does not fit a JS number exactly (or a number is not an integer). */
export class Int64OutOfRangeError extends ContractsError {
  readonly code = 'CONTRACTS.INT64_OUT_OF_RANGE';

  constructor(reason: string) {
    super(reason);
  }
}

/** An rpc method of a contract has no subject option, or one not of the form `rpc.<service>.<verb>`. */
export class InvalidRpcSubjectError extends ContractsError {
  readonly code = 'CONTRACTS.INVALID_RPC_SUBJECT';

  constructor(reason: string) {
    super(reason);
  }
}
