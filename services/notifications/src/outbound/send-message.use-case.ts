import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { InvalidChatIdError } from './outbound.errors.js';
import {
  outboundMessageDecider,
  outboundStreamId,
  type OutboundButton,
  type OutboundMessageCommand,
  type OutboundMessageEvent,
  type OutboundMessageState,
} from './outbound-message.decider.js';
import type { InlineButtonRowDto, SendMessageDto } from './send-message.dto.js';

/**
 * Accepts a message for a bot's chat from any service, once per request id. The message is sent later
 * by the gateway, which consumes `notifications.message.send_requested`.
 */
@Injectable()
export class SendMessageUseCase {
  private readonly commands: CommandHandler<OutboundMessageState, OutboundMessageCommand, OutboundMessageEvent>;

  constructor(store: PostgresEventStore) {
    this.commands = new CommandHandler(store, outboundMessageDecider);
  }

  /** True when this request id was new (its message is queued now). */
  async execute(request: SendMessageDto, now = new Date()): Promise<{ accepted: boolean }> {
    const chatId = Number(request.chatId);
    if (!Number.isSafeInteger(chatId) || chatId === 0) throw new InvalidChatIdError(request.chatId);
    const result = await this.commands.handle(
      outboundStreamId(request.requestId),
      {
        type: 'RequestMessageSend',
        requestId: request.requestId,
        botId: request.botId,
        chatId,
        text: request.text,
        ...(request.parseMode ? { parseMode: request.parseMode } : {}),
        buttons: toButtons(request.buttons),
        disableNotification: request.disableNotification ?? false,
        ...(request.messageThreadId ? { messageThreadId: request.messageThreadId } : {}),
        purpose: request.purpose,
        now: now.toISOString(),
      },
      {
        botId: request.botId,
        // The request id follows the message through the gateway into its delivery events.
        correlationId: request.requestId,
        causationId: null,
        actor: { kind: 'service', id: requesterOf(request) },
        occurredAt: now,
      },
    );
    return { accepted: result.newEvents.length > 0 };
  }
}

function toButtons(rows: readonly InlineButtonRowDto[] | undefined): OutboundButton[][] {
  return (rows ?? []).map((row) =>
    row.buttons.map((button) =>
      button.url !== undefined ? { text: button.text, url: button.url } : { text: button.text, callbackData: button.callbackData! },
    ),
  );
}

/** `subscriptions:expiry-reminder` was asked for by the subscriptions service. */
function requesterOf(request: SendMessageDto): string {
  return request.purpose.split(':')[0] || request.purpose;
}
