import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type SendMessageReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { SendMessageDto } from './send-message.dto.js';
import { SendMessageUseCase } from './send-message.use-case.js';

/** `RPC.notifications.sendMessage`: any service asks for a message; the reply says whether its request id was new, or withheld (muted by the member, superseded by the bot's rule). */
@RpcController()
export class SendMessageRpcController {
  constructor(private readonly sendMessage: SendMessageUseCase) {}

  @RpcHandler(RPC.notifications.sendMessage)
  async send(@Payload() request: SendMessageDto): Promise<SendMessageReplyJson> {
    const { accepted, muted, superseded } = await this.sendMessage.execute(request);
    return { requestId: request.requestId, accepted, muted, superseded };
  }
}
