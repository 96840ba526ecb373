import type { InlineKeyboardButton, Message } from 'grammy/types';
import { SandboxUsageError } from '../errors/sandbox-usage.error.js';
import type { SandboxClock } from '../clock/sandbox-clock.js';
import { findTextEntities } from '../formatting/text-entity-finder.js';
import type { PaymentOutcome, PaymentService, InvoiceRecord } from '../payments/payment.service.js';
import { chatInstanceFor } from '../state/random-ids.js';
import type { FileStore } from '../files/file-store.js';
import { readImageSize } from '../files/image-size.js';
import type { ConversationRecord, StoredMessage, UserRecord } from '../state/sandbox-records.js';
import type { SandboxStore } from '../state/sandbox-store.js';
import { botUser, chatMember, copyWireObject, privateChat, userObject } from '../state/wire-objects.js';
import type { CallbackQueryRegistry } from './callback-query.registry.js';
import type { IncomingMessageDelivery } from './incoming-message.delivery.js';

/** Which inline button to press: its text, its callback_data, or row/column position. */
export type ButtonSelector = string | { text: string } | { data: string } | { row: number; column: number };

/** What pressing an inline button did. */
export type ButtonPress =
  | { kind: 'callback'; callbackQueryId: string; button: InlineKeyboardButton }
  | { kind: 'url'; url: string; button: InlineKeyboardButton }
  | { kind: 'pay'; outcome: Promise<PaymentOutcome>; button: InlineKeyboardButton };

/**
 * Everything a simulated user can do. The typed test API ({@link SandboxChat}) and the web chat's
 * HTTP API both call these, so a browser click and a test step produce the same updates.
 */
export class UserActions {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly incoming: IncomingMessageDelivery,
    private readonly callbacks: CallbackQueryRegistry,
    private readonly payments: PaymentService,
    private readonly files: FileStore,
  ) {}

  /** The user types a message (commands get their `bot_command` entity like in Telegram). */
  sendText(conversation: ConversationRecord, user: UserRecord, text: string, replyToMessageId?: number): StoredMessage {
    this.assertCanWrite(conversation, user);
    if (text.trim() === '') throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'A message needs some text');
    const replyTo = replyToMessageId === undefined ? undefined : this.requireMessage(conversation, replyToMessageId);
    conversation.started = true;
    const entities = findTextEntities(text, []);
    this.hideOneTimeKeyboard(conversation, text);
    return this.incoming.deliver(conversation, user, { text, ...(entities.length > 0 ? { entities } : {}) }, replyTo);
  }

  /**
   * The user sends a photo (`data`: PNG, JPEG, GIF or WebP) or a document to a bot in a private chat,
   * with an optional caption. The file is the bot's to send on by its file_id (file ids are per bot,
   * so only private chats are supported).
   */
  sendFile(
    conversation: ConversationRecord,
    user: UserRecord,
    file: { kind: 'photo'; data: Buffer; caption?: string } | { kind: 'document'; data: Buffer; fileName: string; mimeType?: string; caption?: string },
  ): StoredMessage {
    this.assertCanWrite(conversation, user);
    if (conversation.kind !== 'private' || conversation.botId === undefined) {
      throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'Files can be sent to a bot in its private chat only');
    }
    conversation.started = true;
    const caption = file.caption ? { caption: file.caption } : {};
    if (file.kind === 'photo') {
      const size = readImageSize(file.data);
      if (!size) throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'A photo must be a PNG, JPEG, GIF or WebP image');
      return this.incoming.deliver(conversation, user, { photo: this.files.addPhoto(conversation.botId, file.data, size), ...caption });
    }
    return this.incoming.deliver(conversation, user, {
      document: this.files.addDocument(conversation.botId, file.data, file.fileName, file.mimeType),
      ...caption,
    });
  }

  /** Presses an inline button of a bot message: callback buttons produce a callback_query update. */
  pressButton(conversation: ConversationRecord, user: UserRecord, messageId: number, selector: ButtonSelector): ButtonPress {
    this.assertCanWrite(conversation, user);
    const stored = this.requireMessage(conversation, messageId);
    if (stored.author.kind !== 'bot') {
      throw new SandboxUsageError('SANDBOX.BUTTON_NOT_FOUND', `Message ${messageId} was not sent by a bot`);
    }
    const button = findButton(stored.message, selector);
    if (!button) {
      throw new SandboxUsageError('SANDBOX.BUTTON_NOT_FOUND', `Message ${messageId} has no inline button matching ${JSON.stringify(selector)}`);
    }
    if ('url' in button && button.url) return { kind: 'url', url: button.url, button };
    if ('pay' in button && button.pay) {
      const invoice = this.payments.findInvoiceForMessage(conversation.key, messageId);
      if (!invoice) throw new SandboxUsageError('SANDBOX.NOT_AN_INVOICE', `Message ${messageId} is not an invoice`);
      return { kind: 'pay', outcome: this.payInvoice(conversation, user, invoice), button };
    }
    const data = 'callback_data' in button ? button.callback_data : undefined;
    const bot = this.store.requireBot(stored.author.botId);
    const callbackQueryId = this.callbacks.create(bot.id, conversation.key, messageId, data);
    bot.updates.push({
      callback_query: {
        id: callbackQueryId,
        from: userObject(user),
        message: copyWireObject(stored.message),
        chat_instance: chatInstanceFor(conversation.key),
        ...(data !== undefined ? { data } : {}),
      },
    });
    return { kind: 'callback', callbackQueryId, button };
  }

  /** Blocks or unblocks the bot in a private chat; the bot learns it through my_chat_member. */
  setBlocked(conversation: ConversationRecord, user: UserRecord, blocked: boolean): void {
    if (conversation.kind !== 'private' || conversation.botId === undefined) {
      throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'Only a private chat with a bot can be blocked');
    }
    if (conversation.blocked === blocked) return;
    const bot = this.store.requireBot(conversation.botId);
    conversation.blocked = blocked;
    if (!blocked) conversation.started = true;
    const me = botUser(bot);
    bot.updates.push({
      my_chat_member: {
        chat: privateChat(user),
        from: userObject(user),
        date: this.clock.unixTime(),
        old_chat_member: chatMember(me, blocked ? 'member' : 'kicked'),
        new_chat_member: chatMember(me, blocked ? 'kicked' : 'member'),
      },
    });
    this.store.emit({ type: 'blocked', conversationKey: conversation.key, blocked });
  }

  /** Opens an invoice and presses Pay; resolves when the payment completed, was declined or timed out. */
  async payInvoice(conversation: ConversationRecord, user: UserRecord, invoice: InvoiceRecord): Promise<PaymentOutcome> {
    this.assertCanWrite(conversation, user);
    conversation.started = true;
    return this.payments.pay(invoice, user, conversation);
  }

  requireMessage(conversation: ConversationRecord, messageId: number): StoredMessage {
    const stored = this.store.findMessage(conversation, messageId);
    if (!stored) throw new SandboxUsageError('SANDBOX.MESSAGE_NOT_FOUND', `No message ${messageId} in this chat`);
    return stored;
  }

  private assertCanWrite(conversation: ConversationRecord, user: UserRecord): void {
    if (conversation.kind === 'private') {
      if (conversation.userId !== user.id) {
        throw new SandboxUsageError('SANDBOX.INVALID_INPUT', `User ${user.id} is not part of this private chat`);
      }
      if (conversation.blocked) {
        throw new SandboxUsageError('SANDBOX.USER_BLOCKED_BOT', 'The user has blocked this bot; unblock it first');
      }
      return;
    }
    const group = this.store.requireGroup(conversation.chatId);
    if (!group.members.has(user.id)) {
      throw new SandboxUsageError('SANDBOX.NOT_A_MEMBER', `User ${user.id} is not a member of "${group.title}"`);
    }
  }

  private hideOneTimeKeyboard(conversation: ConversationRecord, text: string): void {
    const keyboard = conversation.replyKeyboard;
    if (!keyboard?.one_time_keyboard) return;
    const pressed = keyboard.keyboard.some((row) => row.some((button) => (typeof button === 'string' ? button : button.text) === text));
    if (!pressed) return;
    conversation.replyKeyboard = undefined;
    this.store.emit({ type: 'reply_keyboard', conversationKey: conversation.key });
  }
}

function findButton(message: Message, selector: ButtonSelector): InlineKeyboardButton | undefined {
  const rows = message.reply_markup?.inline_keyboard ?? [];
  if (typeof selector === 'object' && 'row' in selector) return rows[selector.row]?.[selector.column];
  const buttons = rows.flat();
  if (typeof selector === 'string') {
    return buttons.find((button) => button.text === selector) ?? buttons.find((button) => 'callback_data' in button && button.callback_data === selector);
  }
  if ('text' in selector) return buttons.find((button) => button.text === selector.text);
  return buttons.find((button) => 'callback_data' in button && button.callback_data === selector.data);
}
