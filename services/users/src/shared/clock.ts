/**
 * Where the users service reads the time. A Nest provider, so tests start the service on a clock they
 * set (the next local day of a quota, a minute later for last-seen) instead of waiting for it.
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
