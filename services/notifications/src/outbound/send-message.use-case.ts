import { CommandHandler, PostgresEventStore, runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { GOVERNED_PURPOSES } from '../rules/rule-catalogue.js';
import { isRuleOn } from '../rules/rule-dispatcher.js';
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
 * by the gateway, which consumes `notifications.message.send_requested`. A governed purpose
 * (GOVERNED_PURPOSES: the subscriptions service's end reminder) is withheld, recorded once in
 * notification_withheld_sends and not sent, when the bot switched on the rule that words it instead
 * (`superseded`: the rule sends its own from the same event) or the member muted its category (`muted`).
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

  /** `accepted`: this request id was new (its message is queued now); `muted` / `superseded`: withheld, not sent. */
  async execute(request: SendMessageDto, now = new Date()): Promise<SendOutcome> {
    const chatId = Number(request.chatId);
    if (!Number.isSafeInteger(chatId) || chatId === 0) throw new InvalidChatIdError(request.chatId);
    const withheld = await this.withheld(request, chatId, now);
    if (withheld) return { accepted: false, muted: withheld === 'muted', superseded: withheld === 'superseded' };
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
    return { accepted: result.newEvents.length > 0, muted: false, superseded: false };
  }

  /**
   * Why a governed request (a private chat: the chat id is the member's) is not sent, if it is not: the
   * bot's rule words it instead, or the member muted its category; recorded once. A request queued before
   * stays queued (it is answered as a known request id), and one recorded as withheld stays so.
   */
  private async withheld(request: SendMessageDto, chatId: number, now: Date): Promise<Withheld | null> {
    const governed = GOVERNED_PURPOSES[request.purpose];
    if (!governed || chatId < 0) return null;
    const em = this.orm.em.fork();
    const [recorded] = await runSql<{ outcome: Withheld }>(em, 'SELECT outcome FROM notifications.notification_withheld_sends WHERE request_id = $1', [
      request.requestId,
    ]);
    if (recorded) return recorded.outcome;
    const [member] = await runSql<{ plan_trial: boolean | null }>(
      em,
      'SELECT plan_trial FROM notifications.notification_recipients WHERE bot_id = $1 AND telegram_user_id = $2',
      [request.botId, chatId],
    );
    const muted = await runSql(em, 'SELECT 1 FROM notifications.notification_mutes WHERE bot_id = $1 AND telegram_user_id = $2 AND category = $3', [
      request.botId,
      chatId,
      governed.category,
    ]);
    const outcome: Withheld | null = (await isRuleOn(em, request.botId, governed.supersededBy(member?.plan_trial === true)))
      ? 'superseded'
      : muted.length > 0
        ? 'muted'
        : null;
    if (!outcome) return null;
    if ((await this.store.readStream(outboundStreamId(request.requestId))).events.length > 0) return null;
    await runSql(
      em,
      `INSERT INTO notifications.notification_withheld_sends (request_id, bot_id, telegram_user_id, purpose, outcome, category, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [request.requestId, request.botId, chatId, request.purpose, outcome, governed.category, now],
    );
    const [kept] = await runSql<{ outcome: Withheld }>(em, 'SELECT outcome FROM notifications.notification_withheld_sends WHERE request_id = $1', [
      request.requestId,
    ]);
    return kept?.outcome ?? outcome;
  }
}

type Withheld = 'muted' | 'superseded';

export interface SendOutcome {
  readonly accepted: boolean;
  readonly muted: boolean;
  readonly superseded: boolean;
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
