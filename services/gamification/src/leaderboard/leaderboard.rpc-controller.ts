import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type GetLeaderboardReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { BotGroupDirectory } from '../bot-group/bot-group-directory.js';
import { GroupTotals } from '../bot-group/group-totals.js';
import { ActivityBoardsQuery } from './activity-boards.query.js';
import { GetLeaderboardDto } from './leaderboard.dto.js';
import { InvalidLeaderboardError, NotInGroupError } from './leaderboard.errors.js';
import { LeaderboardQuery, boardJson } from './leaderboard.query.js';

/**
 * `RPC.gamification.getLeaderboard`: a bot's board by XP or by an activity type's best or total score, or
 * its group's board by XP; of all time or of the current week or month of the bot's calendar.
 */
@RpcController()
export class LeaderboardRpcController {
  constructor(
    private readonly leaderboard: LeaderboardQuery,
    private readonly scores: ActivityBoardsQuery,
    private readonly groups: BotGroupDirectory,
    private readonly totals: GroupTotals,
  ) {}

  @RpcHandler(RPC.gamification.getLeaderboard)
  async getLeaderboard(@Payload() request: GetLeaderboardDto): Promise<GetLeaderboardReplyJson> {
    const metric = request.metric ?? 'xp';
    const options = { limit: request.limit, telegramUserId: request.telegramUserId, neighbours: request.neighbours };
    if (metric === 'xp' && request.activityType !== undefined)
      throw new InvalidLeaderboardError('an activity type on a board by XP (metric activity-best or activity-total)');
    if (metric !== 'xp') {
      if (request.activityType === undefined) throw new InvalidLeaderboardError(`metric ${metric} without an activity type`);
      if (request.group) throw new InvalidLeaderboardError('a group board by an activity score (group boards are by XP)');
      const period = request.period ? await this.leaderboard.periodOf(request.botId, request.period) : undefined;
      const key = { botId: request.botId, activityType: request.activityType, ...(period ? { period } : {}) };
      return boardJson(await this.scores.board(key, metric === 'activity-best' ? 'best' : 'total', options));
    }
    if (request.group) {
      const group = await this.groups.groupOf(request.botId);
      if (!group) throw new NotInGroupError(request.botId);
      const period = request.period ? await this.leaderboard.periodOf(request.botId, request.period) : undefined;
      return boardJson(await this.totals.leaderboard(group, { ...options, ...(period ? { period } : {}) }));
    }
    return boardJson(await this.leaderboard.board({ kind: 'bot', botId: request.botId }, { ...options, period: request.period }));
  }
}
