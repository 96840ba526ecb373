import { GamificationError } from '../gamification.errors.js';

/** A get-leaderboard request whose options do not make one board (an activity metric without its type…). */
export class InvalidLeaderboardError extends GamificationError {
  readonly code = 'GAMIFICATION.INVALID_LEADERBOARD';
  constructor(reason: string) {
    super(`the leaderboard asked for ${reason}`);
  }
}

/** A group board asked of a bot that is in no bot group. */
export class NotInGroupError extends GamificationError {
  readonly code = 'GAMIFICATION.NOT_IN_GROUP';
  constructor(botId: string) {
    super(`bot ${botId} is in no bot group`);
  }
}
