/** Base of every error the scheduler raises on purpose: a stable `code` callers can switch on. */
export abstract class SchedulerError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A timer refused before anything is written (empty kind, unserialisable payload, invalid date…). */
export class InvalidTimerError extends SchedulerError {
  readonly code = 'SCHEDULER.INVALID_TIMER';
}

/** A worker configured wrongly: two handlers for one kind, a batch size of 0… Raised at construction. */
export class InvalidTimerWorkerError extends SchedulerError {
  readonly code = 'SCHEDULER.INVALID_WORKER';
}

/**
 * Thrown by a handler for a timer that can never succeed (its subject is gone, its payload is wrong):
 * the timer is parked at once with this message instead of being retried.
 */
export class ParkTimerError extends SchedulerError {
  readonly code = 'SCHEDULER.PARK';
}

/** A handler that did not settle in time. Its transaction is ended by the worker, and the attempt counts as failed. */
export class TimerHandlerTimeoutError extends SchedulerError {
  readonly code = 'SCHEDULER.HANDLER_TIMEOUT';
  constructor(
    readonly kind: string,
    readonly timeoutMs: number,
  ) {
    super(`the ${kind} handler did not finish within ${timeoutMs} ms`);
  }
}
