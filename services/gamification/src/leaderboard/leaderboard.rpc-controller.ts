import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type GetLeaderboardReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { GetLeaderboardDto } from './leaderboard.dto.js';
import { LeaderboardQuery, boardJson } from './leaderboard.query.js';

/** `RPC.gamification.getLeaderboard`: a bot's board by XP, of all time or of its current week or month. */
@RpcController()
export class LeaderboardRpcController {
  constructor(private readonly leaderboard: LeaderboardQuery) {}

  @RpcHandler(RPC.gamification.getLeaderboard)
  async getLeaderboard(@Payload() request: GetLeaderboardDto): Promise<GetLeaderboardReplyJson> {
    const board = await this.leaderboard.board(
      { kind: 'bot', botId: request.botId },
      { limit: request.limit, telegramUserId: request.telegramUserId, neighbours: request.neighbours, period: request.period },
    );
    return boardJson(board);
  }
}
