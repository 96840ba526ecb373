export { gamificationService } from './gamification.service.js';
// The bench's leaderboard scenario builds the boards as the service does, on a million members.
export { LeaderboardIndex } from './leaderboard/leaderboard-index.js';
export { LeaderboardQuery } from './leaderboard/leaderboard.query.js';
export { BotSettingsDirectory } from './settings/bot-settings-directory.js';
export { SystemClock } from './shared/clock.js';
export { ActivityBoardsQuery } from './leaderboard/activity-boards.query.js';
export { ScoreBoardsIndex } from './leaderboard/score-boards-index.js';
export { BotGroupDirectory } from './bot-group/bot-group-directory.js';
export { GroupTotals } from './bot-group/group-totals.js';
