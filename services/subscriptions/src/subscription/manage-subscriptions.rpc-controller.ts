import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type SubscriptionReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ManageSubscriptionsUseCase } from './manage-subscriptions.use-case.js';
import { GrantSubscriptionDto, RenewalDto, RevokeSubscriptionDto, StartTrialDto } from './subscriptions.dto.js';

/** `RPC.subscriptions.grantSubscription`, `startTrial`, `revokeSubscription`, `cancelRenewal`, `resumeRenewal`. */
@RpcController()
export class ManageSubscriptionsRpcController {
  constructor(private readonly subscriptions: ManageSubscriptionsUseCase) {}

  @RpcHandler(RPC.subscriptions.grantSubscription)
  grant(@Payload() request: GrantSubscriptionDto): Promise<SubscriptionReplyJson> {
    return this.subscriptions.grant(request);
  }

  @RpcHandler(RPC.subscriptions.startTrial)
  startTrial(@Payload() request: StartTrialDto): Promise<SubscriptionReplyJson> {
    return this.subscriptions.startTrial(request);
  }

  @RpcHandler(RPC.subscriptions.revokeSubscription)
  revoke(@Payload() request: RevokeSubscriptionDto): Promise<SubscriptionReplyJson> {
    return this.subscriptions.revoke(request);
  }

  @RpcHandler(RPC.subscriptions.cancelRenewal)
  cancelRenewal(@Payload() request: RenewalDto): Promise<SubscriptionReplyJson> {
    return this.subscriptions.switchRenewal(request, 'CancelRenewal');
  }

  @RpcHandler(RPC.subscriptions.resumeRenewal)
  resumeRenewal(@Payload() request: RenewalDto): Promise<SubscriptionReplyJson> {
    return this.subscriptions.switchRenewal(request, 'ResumeRenewal');
  }
}
