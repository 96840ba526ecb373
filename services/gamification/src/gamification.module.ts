import { Module } from '@nestjs/common';
import { BotGroupDirectory } from './bot-group/bot-group-directory.js';
import { GroupTotals } from './bot-group/group-totals.js';
import { ActivityHistoryQuery } from './activity/activity-history.query.js';
import { ActivityHistoryRpcController } from './activity/activity-history.rpc-controller.js';
import { RecordActivityUseCase } from './activity/record-activity.use-case.js';
import { botFeaturesProviders } from './bot/bot-features.providers.js';
import { HandleBotUpdateRpcController } from './bot/handle-bot-update.rpc-controller.js';
import { LeaderboardRpcController } from './leaderboard/leaderboard.rpc-controller.js';
import { LeaderboardIndex } from './leaderboard/leaderboard-index.js';
import { ActivityBoardsQuery } from './leaderboard/activity-boards.query.js';
import { LeaderboardQuery } from './leaderboard/leaderboard.query.js';
import { ScoreBoardsIndex } from './leaderboard/score-boards-index.js';
import { MemberCommands } from './member/member-commands.js';
import { MemberRpcController } from './member/member.rpc-controller.js';
import { MemberUseCase } from './member/member.use-case.js';
import { ProfileQuery } from './profile/profile.query.js';
import { ProfileRpcController } from './profile/profile.rpc-controller.js';
import { BotSettingsDirectory } from './settings/bot-settings-directory.js';
import { BotSettingsRpcController } from './settings/bot-settings.rpc-controller.js';
import { BotSettingsUseCase } from './settings/bot-settings.use-case.js';
import { XpRulesRpcController } from './rules/xp-rules.rpc-controller.js';
import { XpRulesUseCase } from './rules/xp-rules.use-case.js';
import { Clock, SystemClock } from './shared/clock.js';
import { ActivityStatsQuery } from './stats/activity-stats.query.js';
import { ImportActivityStatsRpcController } from './stats/import-activity-stats.rpc-controller.js';
import { ImportActivityStatsUseCase } from './stats/import-activity-stats.use-case.js';

/** Request handlers, use cases, queries and bot screens of the gamification service. */
@Module({
  controllers: [
    BotSettingsRpcController,
    MemberRpcController,
    ProfileRpcController,
    LeaderboardRpcController,
    HandleBotUpdateRpcController,
    ActivityHistoryRpcController,
    XpRulesRpcController,
    ImportActivityStatsRpcController,
  ],
  providers: [
    { provide: Clock, useClass: SystemClock },
    BotSettingsDirectory,
    BotSettingsUseCase,
    MemberCommands,
    MemberUseCase,
    ProfileQuery,
    BotGroupDirectory,
    GroupTotals,
    LeaderboardIndex,
    LeaderboardQuery,
    ScoreBoardsIndex,
    ActivityBoardsQuery,
    RecordActivityUseCase,
    ActivityHistoryQuery,
    ActivityStatsQuery,
    ImportActivityStatsUseCase,
    XpRulesUseCase,
    ...botFeaturesProviders,
  ],
})
export class GamificationModule {}
