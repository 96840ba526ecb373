import type { Message, ReplyKeyboardMarkup } from 'grammy/types';
import { SandboxUsageError, WaitTimeoutError } from '../errors/sandbox-usage.error.js';
import type { PaymentOutcome } from '../payments/payment.service.js';
import type { SandboxCore } from '../sandbox-core.js';
import type { SandboxBot, SandboxUser } from '../sandbox-entities.js';
import type { CallbackAnswer, ChatActionRecord, ConversationRecord, TimelineEntry, UserRecord } from '../state/sandbox-records.js';
import type { ButtonSelector } from './user-actions.js';
import { copyWireObject } from '../state/wire-objects.js';

/** Options of the `waitFor*` helpers. */
export interface WaitOptions {
  /** Give up after this long (default 5000 ms) with a {@link WaitTimeoutError}. */
  timeoutMs?: number;
}

/** Who acts in a group chat (private chats always act as their user). */
export interface ActorOptions {
  from?: SandboxUser;
}

/** What pressing an inline button did. */
export type ButtonPressResult =
  | {
      kind: 'callback';
      callbackQueryId: string;
      /** Resolves with the bot's answerCallbackQuery, or rejects with WaitTimeoutError. */
      waitForAnswer(options?: WaitOptions): Promise<CallbackAnswer>;
    }
  | { kind: 'url'; url: string }
  | { kind: 'pay'; outcome: Promise<PaymentOutcome> };

const DEFAULT_TIMEOUT_MS = 5000;
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

type Predicate = (message: Message) => boolean;

/**
 * A chat seen from the user's side: send text and commands, press buttons, pay, block the bot,
 * and await what the bot sends. Get one with `sandbox.chat(user)` (or `sandbox.chat(group, bot)`).
 *
 * `waitForMessage` returns each bot message at most once per chat handle, oldest first, including
 * messages that arrived before the call, so `send → wait → send → wait` never races.
 */
export class SandboxChat {
  private readonly consumed = new Set<TimelineEntry>();

  /** @internal Created by TelegramSandbox.chat(). */
  constructor(
    private readonly core: SandboxCore,
    private readonly conversation: ConversationRecord,
    /** The bot this handle talks to; in groups, `waitFor*` only sees this bot's messages when set. */
    readonly bot: SandboxBot | undefined,
  ) {}

  get chatId(): number {
    return this.conversation.chatId;
  }

  get type(): ConversationRecord['kind'] {
    return this.conversation.kind;
  }

  get isBlocked(): boolean {
    return this.conversation.blocked;
  }

  /** Every message still in the chat (user's and bot's), oldest first. */
  messages(): Message[] {
    return this.core.store.liveMessages(this.conversation).map((stored) => copyWireObject(stored.message));
  }

  /** Messages the bot(s) sent that are still in the chat, oldest first. */
  botMessages(): Message[] {
    return this.core.store
      .liveMessages(this.conversation)
      .filter((stored) => stored.author.kind === 'bot' && (!this.bot || stored.author.botId === this.bot.id))
      .map((stored) => copyWireObject(stored.message));
  }

  /** answerCallbackQuery results for presses in this chat, in order. */
  callbackAnswers(): CallbackAnswer[] {
    return structuredClone(this.conversation.callbackAnswers);
  }

  /** sendChatAction calls for this chat, in order. */
  chatActions(): ChatActionRecord[] {
    return structuredClone(this.conversation.chatActions);
  }

  /** The reply keyboard the user currently sees, if any. */
  replyKeyboard(): ReplyKeyboardMarkup | undefined {
    return structuredClone(this.conversation.replyKeyboard);
  }

  /** The user sends a text message; commands (`/start x`) carry `bot_command` entities. */
  sendText(text: string, options: ActorOptions & { replyTo?: Message | number } = {}): Message {
    const replyTo = typeof options.replyTo === 'object' ? options.replyTo.message_id : options.replyTo;
    const stored = this.core.users.sendText(this.conversation, this.actor(options), text, replyTo);
    return copyWireObject(stored.message);
  }

  /** The user sends a photo (a 1×1 PNG unless `data` says otherwise), with an optional caption (private chats). */
  sendPhoto(options: ActorOptions & { caption?: string; data?: Buffer } = {}): Message {
    const data = options.data ?? Buffer.from(ONE_PIXEL_PNG, 'base64');
    const stored = this.core.users.sendFile(this.conversation, this.actor(options), {
      kind: 'photo',
      data,
      ...(options.caption ? { caption: options.caption } : {}),
    });
    return copyWireObject(stored.message);
  }

  /** The user sends a document (private chats). */
  sendDocument(fileName: string, data: Buffer, options: ActorOptions & { caption?: string; mimeType?: string } = {}): Message {
    const stored = this.core.users.sendFile(this.conversation, this.actor(options), {
      kind: 'document',
      data,
      fileName,
      ...(options.mimeType ? { mimeType: options.mimeType } : {}),
      ...(options.caption ? { caption: options.caption } : {}),
    });
    return copyWireObject(stored.message);
  }

  /** `sendCommand('start', 'ref42')` sends "/start ref42" (in groups: "/start@botname ref42"). */
  sendCommand(command: string, payload?: string, options: ActorOptions = {}): Message {
    const name = command.replace(/^\//, '');
    const mention = this.conversation.kind !== 'private' && this.bot ? `@${this.bot.username}` : '';
    return this.sendText(`/${name}${mention}${payload ? ` ${payload}` : ''}`, options);
  }

  /** Presses an inline button (by text, callback_data or position) of a bot message. */
  pressButton(message: Message | number, button: ButtonSelector, options: ActorOptions = {}): ButtonPressResult {
    const messageId = typeof message === 'number' ? message : message.message_id;
    const press = this.core.users.pressButton(this.conversation, this.actor(options), messageId, button);
    if (press.kind === 'url') return { kind: 'url', url: press.url };
    if (press.kind === 'pay') return { kind: 'pay', outcome: press.outcome };
    const { callbackQueryId } = press;
    return {
      kind: 'callback',
      callbackQueryId,
      waitForAnswer: async ({ timeoutMs = DEFAULT_TIMEOUT_MS } = {}) => {
        const answer = await this.core.callbacks.waitForAnswer(callbackQueryId, timeoutMs);
        if (!answer) throw new WaitTimeoutError(`The bot did not answer callback query ${callbackQueryId} within ${timeoutMs} ms`);
        return answer;
      },
    };
  }

  /** Presses a callback button and waits for the bot's answerCallbackQuery. */
  async pressCallbackButton(message: Message | number, button: ButtonSelector, options: ActorOptions & WaitOptions = {}): Promise<CallbackAnswer> {
    const press = this.pressButton(message, button, options);
    if (press.kind !== 'callback') {
      throw new SandboxUsageError('SANDBOX.BUTTON_NOT_FOUND', `The button ${JSON.stringify(button)} is not a callback button`);
    }
    return press.waitForAnswer(options);
  }

  /**
   * Opens an invoice (an invoice message, its id, or a createInvoiceLink URL) and pays it. The bot
   * gets a pre_checkout_query; the promise settles once it answered, declined or let the deadline pass.
   */
  async payInvoice(invoice: Message | number | string, options: ActorOptions = {}): Promise<PaymentOutcome> {
    const user = this.actor(options);
    const record =
      typeof invoice === 'string'
        ? this.core.payments.findInvoiceByLink(invoice)
        : this.core.payments.findInvoiceForMessage(this.conversation.key, typeof invoice === 'number' ? invoice : invoice.message_id);
    if (!record) throw new SandboxUsageError('SANDBOX.NOT_AN_INVOICE', `No invoice found for ${JSON.stringify(invoice)}`);
    if (this.bot && record.botId !== this.bot.id) {
      throw new SandboxUsageError('SANDBOX.NOT_AN_INVOICE', `That invoice belongs to another bot`);
    }
    return this.core.users.payInvoice(this.conversation, user, record);
  }

  /** The user cancels a Stars subscription from their side (the bot can no longer re-enable it). */
  cancelSubscription(chargeId: string, options: ActorOptions = {}): void {
    if (!this.core.payments.cancelByUser(this.actor(options).id, chargeId)) {
      throw new SandboxUsageError('SANDBOX.CHARGE_NOT_FOUND', `No subscription paid with charge ${chargeId}`);
    }
  }

  /** The user re-enables, from Telegram's UI, a Stars subscription they cancelled (the bot gets `subscription` active). */
  resumeSubscription(chargeId: string, options: ActorOptions = {}): void {
    if (!this.core.payments.resumeByUser(this.actor(options).id, chargeId)) {
      throw new SandboxUsageError('SANDBOX.CHARGE_NOT_FOUND', `No subscription cancelled by the user paid with charge ${chargeId}`);
    }
  }

  /** The user blocks the bot: later sends fail with 403 and the bot receives my_chat_member (kicked). */
  block(): void {
    this.core.users.setBlocked(this.conversation, this.actor({}), true);
  }

  /** The user unblocks the bot (my_chat_member back to member). */
  unblock(): void {
    this.core.users.setBlocked(this.conversation, this.actor({}), false);
  }

  /** The next bot message (oldest not yet returned by this handle) matching the predicate. */
  waitForMessage(predicate: Predicate = () => true, options: WaitOptions = {}): Promise<Message> {
    return this.waitFor('sent', predicate, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** The next edit of a bot message matching the predicate (the message as it looked after the edit). */
  waitForEdit(predicate: Predicate = () => true, options: WaitOptions = {}): Promise<Message> {
    return this.waitFor('edited', predicate, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  private waitFor(kind: TimelineEntry['kind'], predicate: Predicate, timeoutMs: number): Promise<Message> {
    const find = (): Message | undefined => {
      for (const entry of this.conversation.timeline) {
        if (entry.kind !== kind || entry.author.kind !== 'bot' || this.consumed.has(entry)) continue;
        if (this.bot && entry.author.botId !== this.bot.id) continue;
        const message = copyWireObject(entry.message);
        if (!predicate(message)) continue;
        this.consumed.add(entry);
        return message;
      }
      return undefined;
    };
    const found = find();
    if (found) return Promise.resolve(found);

    return new Promise<Message>((resolve, reject) => {
      const unsubscribe = this.core.store.subscribeToConversation(this.conversation.key, () => {
        const message = find();
        if (!message) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(message);
      });
      const timer = setTimeout(() => {
        unsubscribe();
        const seen = this.conversation.timeline
          .filter((entry) => entry.kind === kind && entry.author.kind === 'bot')
          .map((entry) => entry.message.text ?? entry.message.caption ?? Object.keys(entry.message).find((key) => key !== 'message_id'))
          .slice(-10);
        reject(
          new WaitTimeoutError(
            `No ${kind === 'sent' ? 'bot message' : 'edit'} matching the predicate in chat ${this.chatId} within ${timeoutMs} ms; ` +
              `latest ones: ${JSON.stringify(seen)}`,
          ),
        );
      }, timeoutMs);
    });
  }

  private actor(options: ActorOptions): UserRecord {
    if (this.conversation.kind === 'private') {
      const user = this.core.store.requireUser(this.conversation.userId!);
      if (options.from && options.from.id !== user.id) {
        throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'In a private chat only its user can act');
      }
      return user;
    }
    if (options.from) return this.core.store.requireUser(options.from.id);
    const group = this.core.store.requireGroup(this.conversation.chatId);
    const first = [...group.members.keys()][0];
    if (first === undefined) throw new SandboxUsageError('SANDBOX.NOT_A_MEMBER', `"${group.title}" has no members to act as`);
    return this.core.store.requireUser(first);
  }
}
