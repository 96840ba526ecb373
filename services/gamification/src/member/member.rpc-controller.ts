import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type AwardBadgeReplyJson, type AwardReplyJson, type RecordActivityReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { RecordActivityUseCase } from '../activity/record-activity.use-case.js';
import { AwardBadgeDto, AwardDto, RecordActivityDto } from './member.dto.js';
import { MemberUseCase } from './member.use-case.js';

const memberOf = (request: { botId: string; telegramUserId: string }) => ({ botId: request.botId, telegramUserId: Number(request.telegramUserId) });

/** `RPC.gamification.award`, `awardBadge` and `recordActivity`: the DTO validated, the use case called. */
@RpcController()
export class MemberRpcController {
  constructor(
    private readonly members: MemberUseCase,
    private readonly activities: RecordActivityUseCase,
  ) {}

  @RpcHandler(RPC.gamification.award)
  award(@Payload() request: AwardDto): Promise<AwardReplyJson> {
    return this.members.award(memberOf(request), { amount: request.amount, reason: request.reason, sourceId: request.sourceId });
  }

  @RpcHandler(RPC.gamification.awardBadge)
  awardBadge(@Payload() request: AwardBadgeDto): Promise<AwardBadgeReplyJson> {
    return this.members.awardBadge(memberOf(request), request.badgeKey, {
      score: request.score === undefined ? undefined : Number(request.score),
      streak: request.streak,
    });
  }

  @RpcHandler(RPC.gamification.recordActivity)
  recordActivity(@Payload() request: RecordActivityDto): Promise<RecordActivityReplyJson> {
    return this.activities.execute(memberOf(request), {
      occurredAt: request.occurredAt ? new Date(request.occurredAt) : undefined,
      timeZone: request.timeZone,
      activity: request.activity,
    });
  }
}
