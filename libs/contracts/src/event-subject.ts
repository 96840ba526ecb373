import { InvalidEventSubjectError } from './contracts.errors.js';

/** The parts of an event subject `<service>.<aggregate>.<event>.v<N>`. */
export interface EventSubjectParts {
  /** Producing service, e.g. `users`; its JetStream stream captures `<service>.>`. */
  readonly service: string;
  readonly aggregate: string;
  /** Past-tense event name, e.g. `registered`. */
  readonly event: string;
  /** `<service>.<aggregate>.<event>`, as carried in `EventEnvelope.type`. */
  readonly type: string;
  /** Schema version N >= 1, as carried in `EventEnvelope.schema_version`. */
  readonly version: number;
}

// One lower-case snake_case token, so every segment is a plain NATS token (no wildcards, no dots)
// and reads like the proto identifiers the event is named after (`payment_failed`).
const TOKEN = '[a-z][a-z0-9]*(?:_[a-z0-9]+)*';
const EVENT_TYPE_PATTERN = new RegExp(`^(${TOKEN})\\.(${TOKEN})\\.(${TOKEN})$`);
const EVENT_SUBJECT_PATTERN = new RegExp(`^(${TOKEN})\\.(${TOKEN})\\.(${TOKEN})\\.v([1-9][0-9]*)$`);

/** True when `type` has the form `<service>.<aggregate>.<event>` (lower-case snake_case tokens). */
export function isWellFormedEventType(type: string): boolean {
  return EVENT_TYPE_PATTERN.test(type);
}

/** Builds the subject `<type>.v<version>`, e.g. `users.user.registered.v1`. */
export function formatEventSubject(type: string, version: number): string {
  if (!isWellFormedEventType(type)) {
    throw new InvalidEventSubjectError(`event type "${type}" is not of the form <service>.<aggregate>.<event> (lower-case snake_case tokens)`);
  }
  if (!Number.isInteger(version) || version < 1) {
    throw new InvalidEventSubjectError(`event version ${version} of "${type}" is not an integer >= 1`);
  }
  return `${type}.v${version}`;
}

/**
 * Splits an event subject into its parts.
 * @throws InvalidEventSubjectError when `subject` is not `<service>.<aggregate>.<event>.v<N>`.
 */
export function parseEventSubject(subject: string): EventSubjectParts {
  const match = EVENT_SUBJECT_PATTERN.exec(subject);
  if (!match) {
    throw new InvalidEventSubjectError(`"${subject}" is not an event subject of the form <service>.<aggregate>.<event>.v<N>`);
  }
  const [, service, aggregate, event, version] = match as unknown as [string, string, string, string, string];
  return { service, aggregate, event, type: `${service}.${aggregate}.${event}`, version: Number(version) };
}

/**
 * The producing service of an event subject: `users.user.registered.v1` → `users`.
 * Works for any well-formed subject, registered or not (stream routing needs no registry).
 * @throws InvalidEventSubjectError when `subject` is not `<service>.<aggregate>.<event>.v<N>`.
 */
export function serviceOfSubject(subject: string): string {
  return parseEventSubject(subject).service;
}
