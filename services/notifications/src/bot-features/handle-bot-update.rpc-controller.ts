import { BotFeatureRouter, BotUpdatePipe } from '@botplatform/bot-kit';
import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type BotActionsJson, type BotUpdateJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';

/** An update the gateway routed to the notifications service: the validated update in, the actions out. */
@RpcController()
export class HandleBotUpdateRpcController {
  constructor(private readonly router: BotFeatureRouter) {}

  @RpcHandler(RPC.notifications.handleBotUpdate)
  handleBotUpdate(@Payload(BotUpdatePipe) update: BotUpdateJson): Promise<BotActionsJson> {
    return this.router.handle(update);
  }
}
