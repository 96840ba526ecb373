import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type CancelScheduledMessageReplyJson, type ListScheduledMessagesReplyJson, type ScheduleMessageReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { CancelScheduledMessageDto, ListScheduledMessagesDto, ScheduleMessageDto } from './schedule-message.dto.js';
import { ScheduledMessagesUseCase } from './scheduled-messages.use-case.js';

/** `RPC.notifications.scheduleMessage`, `cancelScheduledMessage` and `listScheduledMessages`. */
@RpcController()
export class ScheduledMessagesRpcController {
  constructor(private readonly scheduled: ScheduledMessagesUseCase) {}

  @RpcHandler(RPC.notifications.scheduleMessage)
  scheduleMessage(@Payload() request: ScheduleMessageDto): Promise<ScheduleMessageReplyJson> {
    return this.scheduled.schedule(request);
  }

  @RpcHandler(RPC.notifications.cancelScheduledMessage)
  async cancelScheduledMessage(@Payload() request: CancelScheduledMessageDto): Promise<CancelScheduledMessageReplyJson> {
    return { message: await this.scheduled.cancel(request) };
  }

  @RpcHandler(RPC.notifications.listScheduledMessages)
  async listScheduledMessages(@Payload() request: ListScheduledMessagesDto): Promise<ListScheduledMessagesReplyJson> {
    return { messages: await this.scheduled.list(request) };
  }
}
