import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type EditStarSubscriptionReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { EditStarSubscriptionDto } from './edit-star-subscription.dto.js';
import { EditStarSubscriptionUseCase } from './edit-star-subscription.use-case.js';

/** `rpc.gateway.edit-star-subscription`: the validated request in, the use case called. */
@RpcController()
export class EditStarSubscriptionRpcController {
  constructor(private readonly useCase: EditStarSubscriptionUseCase) {}

  @RpcHandler(RPC.gateway.editStarSubscription)
  async editStarSubscription(@Payload() request: EditStarSubscriptionDto): Promise<EditStarSubscriptionReplyJson> {
    await this.useCase.execute(request);
    return {};
  }
}
