import { GamificationError } from '../gamification.errors.js';

/** An activity reported as happening later than now: it would count a day that has not come yet. */
export class ActivityInFutureError extends GamificationError {
  readonly code = 'GAMIFICATION.ACTIVITY_IN_FUTURE';
  constructor(readonly occurredAt: string) {
    super(`the activity at ${occurredAt} has not happened yet`);
  }
}
