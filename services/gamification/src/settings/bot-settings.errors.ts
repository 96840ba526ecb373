import { GamificationError } from '../gamification.errors.js';

/** Level thresholds that are not level 1 at 0 XP followed by strictly increasing levels and XP. */
export class InvalidLevelsError extends GamificationError {
  readonly code = 'GAMIFICATION.INVALID_LEVELS';
  constructor(readonly problem: string) {
    super(`invalid levels: ${problem}`);
  }
}

/** A time zone that is not an IANA zone. */
export class InvalidTimeZoneError extends GamificationError {
  readonly code = 'GAMIFICATION.INVALID_TIME_ZONE';
  constructor(readonly timeZone: string) {
    super(`${timeZone} is not an IANA time zone`);
  }
}

/** A badge the bot's catalogue does not have. */
export class UnknownBadgeError extends GamificationError {
  readonly code = 'GAMIFICATION.UNKNOWN_BADGE';
  constructor(readonly badgeKey: string) {
    super(`the bot has no badge ${badgeKey}`);
  }
}
