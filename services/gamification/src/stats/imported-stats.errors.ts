import { GamificationError } from '../gamification.errors.js';

/** Imported statistics whose figures are out of range, or whose last activity is in the future. */
export class InvalidImportedStatsError extends GamificationError {
  readonly code = 'GAMIFICATION.INVALID_IMPORTED_STATS';
  constructor(reason: string) {
    super(`the imported statistics ${reason}`);
  }
}
