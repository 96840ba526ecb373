/**
 * Where a service reads the time. A Nest provider (`{ provide: Clock, useClass: SystemClock }`), so a test
 * starts the service on a clock it sets (a period's end, the next local day, across a time zone boundary)
 * instead of waiting for it. One class for every service: a test harness replaces it the same way in each.
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
