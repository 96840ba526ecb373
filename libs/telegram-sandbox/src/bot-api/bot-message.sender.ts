import type { Message } from 'grammy/types';
import { badRequest, TelegramErrors } from '../errors/telegram-api.error.js';
import type { SandboxClock } from '../clock/sandbox-clock.js';
import type { PaymentService } from '../payments/payment.service.js';
import type { SendRateLimiter } from '../rate-limit/send-rate-limiter.js';
import type { BotRecord, ConversationRecord, StoredMessage } from '../state/sandbox-records.js';
import type { SandboxStore } from '../state/sandbox-store.js';
import { botUser, copyWireObject } from '../state/wire-objects.js';
import { resolveChat, type ResolvedChat } from './chat-access.js';
import type { MethodArguments } from './method-arguments.js';
import { parseReplyMarkup, type ParsedReplyMarkup } from './reply-markup.parser.js';

/** What a send method contributes to the message (text, photo, invoice...). */
export type MessageContent = Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>;

/** The reply target and markup a send call asked for, validated before touching the chat. */
export interface SendOptions {
  replyMarkup?: ParsedReplyMarkup;
  replyToMessageId?: number;
  allowSendingWithoutReply: boolean;
  paidBroadcast: boolean;
  disableNotification: boolean;
  protectContent: boolean;
  /** The forum topic of a group to post in; ignored in private chats. */
  messageThreadId?: number;
}

/**
 * Puts a bot's message into a chat: access checks, reply target, rate limits, storing, and the
 * user's reply keyboard. Shared by every send method so they fail and succeed identically.
 */
export class BotMessageSender {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly rateLimiter: SendRateLimiter | undefined,
    /** Charges `allow_paid_broadcast` sends to the bot's Stars (0.1 each), or refuses them when it cannot pay. */
    private readonly payments: Pick<PaymentService, 'assertCanPayBroadcast' | 'chargePaidBroadcast'>,
  ) {}

  /** Reads the arguments every send method shares (reply_markup, reply_parameters, ...). */
  readSendOptions(args: MethodArguments): SendOptions {
    const replyMarkup = parseReplyMarkup(args.string('reply_markup'));
    let replyToMessageId = args.messageId('reply_to_message_id') || undefined;
    let allowSendingWithoutReply = args.bool('allow_sending_without_reply');
    const replyParameters = args.json('reply_parameters', 'reply parameters');
    if (replyParameters !== undefined) {
      if (typeof replyParameters !== 'object' || replyParameters === null || Array.isArray(replyParameters)) {
        throw badRequest('object expected as reply parameters');
      }
      const parameters = replyParameters as Record<string, unknown>;
      const messageId = Number(parameters.message_id);
      if (!Number.isInteger(messageId) || messageId <= 0) {
        throw badRequest('can\'t parse reply parameters: Field "message_id" must be of type Number');
      }
      replyToMessageId = messageId;
      allowSendingWithoutReply = parameters.allow_sending_without_reply === true;
    }
    return {
      replyMarkup,
      replyToMessageId,
      allowSendingWithoutReply,
      paidBroadcast: args.bool('allow_paid_broadcast'),
      disableNotification: args.bool('disable_notification'),
      protectContent: args.bool('protect_content'),
      ...(args.int('message_thread_id', 0, 0) > 0 ? { messageThreadId: args.int('message_thread_id', 0, 0) } : {}),
    };
  }

  resolveTarget(bot: BotRecord, args: MethodArguments): ResolvedChat {
    return resolveChat(this.store, bot, args.chatId(), 'write');
  }

  /** Sends into an already resolved chat; throws 400/429 without side effects when it cannot. */
  send(bot: BotRecord, target: ResolvedChat, content: MessageContent, options: SendOptions): StoredMessage {
    const { conversation } = target;
    const replyTo = this.replyTarget(conversation, options);
    // Refused for want of Stars or by a limit, a send charges nothing; passed, it is charged once.
    if (options.paidBroadcast) this.payments.assertCanPayBroadcast(bot.id);
    this.rateLimiter?.consume({
      botId: bot.id,
      chatId: conversation.chatId,
      isGroup: conversation.kind !== 'private',
      paidBroadcast: options.paidBroadcast,
    });
    if (options.paidBroadcast) this.payments.chargePaidBroadcast(bot.id);

    const markup = options.replyMarkup;
    const stored = this.store.appendMessage(
      conversation,
      { kind: 'bot', botId: bot.id },
      (messageId) =>
        ({
          message_id: messageId,
          from: botUser(bot),
          chat: target.chat,
          date: this.clock.unixTime(),
          ...(replyTo ? { reply_to_message: withoutNestedReply(replyTo.message) } : {}),
          ...(options.protectContent ? { has_protected_content: true as const } : {}),
          ...(options.messageThreadId && conversation.kind !== 'private'
            ? { message_thread_id: options.messageThreadId, is_topic_message: true as const }
            : {}),
          ...content,
          ...(markup?.kind === 'inline' ? { reply_markup: markup.markup } : {}),
        }) as Message,
    );
    this.applyKeyboard(conversation, markup);
    return stored;
  }

  private replyTarget(conversation: ConversationRecord, options: SendOptions): StoredMessage | undefined {
    if (!options.replyToMessageId) return undefined;
    const target = this.store.findMessage(conversation, options.replyToMessageId);
    if (!target && !options.allowSendingWithoutReply) throw TelegramErrors.replyMessageNotFound();
    return target;
  }

  private applyKeyboard(conversation: ConversationRecord, markup: ParsedReplyMarkup | undefined): void {
    if (markup?.kind === 'keyboard') conversation.replyKeyboard = markup.markup;
    else if (markup?.kind === 'remove') conversation.replyKeyboard = undefined;
    else return;
    this.store.emit({ type: 'reply_keyboard', conversationKey: conversation.key });
  }
}

/** A replied-to message is embedded without its own reply, as Telegram does. */
export function withoutNestedReply(message: Message): NonNullable<Message['reply_to_message']> {
  const { reply_to_message: _nested, ...rest } = copyWireObject(message);
  return rest as NonNullable<Message['reply_to_message']>;
}
