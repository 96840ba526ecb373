/**
 * Where the gamification service reads the time. A Nest provider, so tests start the service on a clock
 * they set (a day later, across a time zone boundary) instead of waiting for it.
 */
export abstract class Clock {
  abstract now(): Date;
}

/** The wall clock. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
