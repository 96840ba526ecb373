import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type GetActivityHistoryReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { GetActivityHistoryDto } from './activity.dto.js';
import { ActivityHistoryQuery } from './activity-history.query.js';

/** `RPC.gamification.getActivityHistory`: a member's activities in a bot, newest first, paged by a cursor. */
@RpcController()
export class ActivityHistoryRpcController {
  constructor(private readonly history: ActivityHistoryQuery) {}

  @RpcHandler(RPC.gamification.getActivityHistory)
  getActivityHistory(@Payload() request: GetActivityHistoryDto): Promise<GetActivityHistoryReplyJson> {
    return this.history.page(request.botId, request.telegramUserId, request.limit, request.cursor);
  }
}
