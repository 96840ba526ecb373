import { GamificationError } from '../gamification.errors.js';

/** The activity's payload is not a JSON object, or is larger than the record keeps. */
export class InvalidActivityPayloadError extends GamificationError {
  readonly code = 'GAMIFICATION.INVALID_ACTIVITY_PAYLOAD';
  constructor(reason: string) {
    super(`the activity's payload ${reason}`);
  }
}

/** A metric that is not a finite number, or too many of them. */
export class InvalidActivityMetricsError extends GamificationError {
  readonly code = 'GAMIFICATION.INVALID_ACTIVITY_METRICS';
  constructor(reason: string) {
    super(`the activity's metrics ${reason}`);
  }
}

/** A history cursor this service did not write. */
export class InvalidCursorError extends GamificationError {
  readonly code = 'GAMIFICATION.INVALID_CURSOR';
  constructor() {
    super('the cursor is not one a previous page returned');
  }
}
