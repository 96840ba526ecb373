import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type SetXpRulesReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { SetXpRulesDto } from './xp-rules.dto.js';
import { XpRulesUseCase } from './xp-rules.use-case.js';

/** `RPC.gamification.setXpRules`: a bot's rules that turn its members' activities and streak days into XP. */
@RpcController()
export class XpRulesRpcController {
  constructor(private readonly rules: XpRulesUseCase) {}

  @RpcHandler(RPC.gamification.setXpRules)
  setXpRules(@Payload() request: SetXpRulesDto): Promise<SetXpRulesReplyJson> {
    return this.rules.set(request.botId, {
      ...request.rules,
      paymentCompletedXp: request.rules.paymentCompletedXp ?? 0,
      referralJoinedXp: request.rules.referralJoinedXp ?? 0,
    });
  }
}
