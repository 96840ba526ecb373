import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type DeclareBotFeaturesReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { DeclareBotFeaturesDto } from './declare-bot-features.dto.js';
import { DeclareBotFeaturesUseCase } from './declare-bot-features.use-case.js';

/** `rpc.gateway.declare-bot-features`: a service's declaration becomes the routes of its features. */
@RpcController()
export class DeclareBotFeaturesRpcController {
  constructor(private readonly useCase: DeclareBotFeaturesUseCase) {}

  @RpcHandler(RPC.gateway.declareBotFeatures)
  declareBotFeatures(@Payload() request: DeclareBotFeaturesDto): Promise<DeclareBotFeaturesReplyJson> {
    return this.useCase.execute(request);
  }
}
