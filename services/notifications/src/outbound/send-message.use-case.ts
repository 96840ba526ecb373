import { CommandHandler, PostgresEventStore, runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { PURPOSE_CATEGORIES } from '../rules/rule-catalogue.js';
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
 * by the gateway, which consumes `notifications.message.send_requested`. A purpose with a category
 * (PURPOSE_CATEGORIES: the subscriptions service's end reminder is `subscription`) honours the member's
 * mutes: a muted member's request is recorded as muted (notification_muted_sends) and nothing is sent.
 */
@Injectable()
export class SendMessageUseCase {
  private readonly commands: CommandHandler<OutboundMessageState, OutboundMessageCommand, OutboundMessageEvent>;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly orm: MikroORM,
  ) {
    this.commands = new CommandHandler(store, outboundMessageDecider);
  }

  /** `accepted`: this request id was new (its message is queued now); `muted`: the member muted its category. */
  async execute(request: SendMessageDto, now = new Date()): Promise<{ accepted: boolean; muted: boolean }> {
    const chatId = Number(request.chatId);
    if (!Number.isSafeInteger(chatId) || chatId === 0) throw new InvalidChatIdError(request.chatId);
    if (await this.mutedFor(request, chatId, now)) return { accepted: false, muted: true };
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
    return { accepted: result.newEvents.length > 0, muted: false };
  }

  /**
   * Whether the member (a private chat: the chat id is theirs) muted the category of the request's
   * purpose; when so, the request is recorded once as muted. A request already queued before the mute
   * stays queued (it is answered as a known request id, not as muted), and one recorded as muted stays so.
   */
  private async mutedFor(request: SendMessageDto, chatId: number, now: Date): Promise<boolean> {
    const category = PURPOSE_CATEGORIES[request.purpose];
    if (!category || chatId < 0) return false;
    const em = this.orm.em.fork();
    const [recorded] = await runSql(em, 'SELECT 1 FROM notifications.notification_muted_sends WHERE request_id = $1', [request.requestId]);
    if (recorded) return true;
    const muted = await runSql(em, 'SELECT 1 FROM notifications.notification_mutes WHERE bot_id = $1 AND telegram_user_id = $2 AND category = $3', [
      request.botId,
      chatId,
      category,
    ]);
    if (muted.length === 0) return false;
    if ((await this.store.readStream(outboundStreamId(request.requestId))).events.length > 0) return false;
    await runSql(
      em,
      `INSERT INTO notifications.notification_muted_sends (request_id, bot_id, telegram_user_id, purpose, category, muted_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [request.requestId, request.botId, chatId, request.purpose, category, now],
    );
    return true;
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
