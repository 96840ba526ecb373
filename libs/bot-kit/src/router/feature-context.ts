import type {
  BotActionJson,
  BotUpdateJson,
  CallbackTriggerJson,
  CommandTriggerJson,
  InvoiceJson,
  MemberJson,
  MessageTriggerJson,
  MyChatMemberTriggerJson,
  ParseModeJson,
  PreCheckoutTriggerJson,
  StepTriggerJson,
  SubscriptionTriggerJson,
} from '@botplatform/contracts';
import { type InlineKeyboard, ReplyKeyboard } from './keyboards.js';

/** Telegram's text formatting: plain when absent. */
export type ParseMode = 'HTML' | 'MarkdownV2';

/** A keyboard for a new message: buttons under it, buttons in place of the member's, or none again. */
export type MessageKeyboard = InlineKeyboard | ReplyKeyboard | 'remove';

export interface MessageOptions {
  readonly parseMode?: ParseMode;
  readonly keyboard?: MessageKeyboard;
  /** Another chat of the bot (its admin group, a member's private chat) instead of this update's. */
  readonly chatId?: string;
  /** The forum topic in `chatId`. */
  readonly threadId?: number;
}

export interface EditOptions {
  /** The message to edit; the pressed button's message when absent. */
  readonly messageId?: number;
  readonly parseMode?: ParseMode;
  readonly keyboard?: InlineKeyboard;
}

/** A service's texts by key in the member's language (e.g. a Fluent bundle's `t`). */
export type Translate = (language: string, key: string, variables?: Readonly<Record<string, string | number>>) => string;

/** The decoded press of a button of the service's namespace: `adm:blk:42` → action `blk`, args `['42']`. */
export interface CallbackPress extends CallbackTriggerJson {
  readonly action: string;
  readonly args: readonly string[];
}

/** Telegram's sizes for a session slice. */
const MAX_SESSION_BYTES = 4_096;

/** Thrown when a handler stores more than the gateway keeps for a service's session. */
export class SessionTooLargeError extends Error {
  readonly code = 'BOT.SESSION_TOO_LARGE';
  constructor(bytes: number) {
    super(`a session slice of ${bytes} bytes is over the ${MAX_SESSION_BYTES} bytes kept per service and chat`);
    this.name = 'SessionTooLargeError';
  }
}

const PARSE_MODES: Record<ParseMode, ParseModeJson> = { HTML: 'PARSE_MODE_HTML', MarkdownV2: 'PARSE_MODE_MARKDOWN_V2' };

/**
 * What a feature handler gets: who wrote, in which bot and language, what they did (the one trigger of
 * the update that is set), the service's slice of the chat's session, and the action builder. Each call
 * of `reply`, `edit`… adds an action; the gateway performs them in order once the handler returns.
 * Rights are the handler's to check, from `member.role` (never from callback data).
 */
export class FeatureContext {
  readonly actions: BotActionJson[] = [];
  private sessionValue: unknown;
  private sessionChanged = false;

  constructor(
    readonly update: BotUpdateJson,
    private readonly translate: Translate | undefined,
    /** The press decoded against its namespace, for a callback. */
    readonly callback?: CallbackPress,
  ) {
    this.sessionValue = update.sessionJson ? JSON.parse(update.sessionJson) : undefined;
  }

  get botId(): string {
    return this.update.context?.botId ?? '';
  }

  get botName(): string {
    return this.update.context?.botName ?? '';
  }

  /** The bot's @username without the "@" (for t.me links), '' when the gateway did not say. */
  get botUsername(): string {
    return this.update.context?.botUsername ?? '';
  }

  get member(): MemberJson {
    return this.update.context?.member ?? {};
  }

  /** Telegram id of the member, as a string (64-bit). */
  get telegramUserId(): string {
    return this.member.telegramUserId ?? '';
  }

  get language(): string {
    return this.update.context?.language || 'en';
  }

  get timeZone(): string {
    return this.update.context?.timeZone || 'UTC';
  }

  get chatId(): string {
    return this.update.chatId ?? '';
  }

  get isAdmin(): boolean {
    return this.member.role === 'ROLE_ADMIN' || this.member.role === 'ROLE_OWNER';
  }

  get isOwner(): boolean {
    return this.member.role === 'ROLE_OWNER';
  }

  get command(): CommandTriggerJson | undefined {
    return this.update.command;
  }

  get step(): StepTriggerJson | undefined {
    return this.update.step;
  }

  get message(): MessageTriggerJson | undefined {
    return this.update.message;
  }

  get preCheckout(): PreCheckoutTriggerJson | undefined {
    return this.update.preCheckout;
  }

  get subscription(): SubscriptionTriggerJson | undefined {
    return this.update.subscription;
  }

  get myChatMember(): MyChatMemberTriggerJson | undefined {
    return this.update.myChatMember;
  }

  /** The service's text `key` in the member's language (needs the router's `translate`). */
  t(key: string, variables?: Readonly<Record<string, string | number>>): string {
    if (!this.translate) throw new Error('this router was built without translate');
    return this.translate(this.language, key, variables);
  }

  /** The service's slice of this chat's session, as the last `setSession` left it. */
  session<T>(): T | undefined {
    return this.sessionValue as T | undefined;
  }

  /** Replaces the service's slice (`undefined` clears it); sent back once, with the last value. */
  setSession(value: unknown): this {
    const json = value === undefined ? '' : JSON.stringify(value);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > MAX_SESSION_BYTES) throw new SessionTooLargeError(bytes);
    this.sessionValue = value;
    this.sessionChanged = true;
    return this;
  }

  reply(text: string, options: MessageOptions = {}): this {
    return this.push({ reply: { text, ...targetOf(options), ...parseMode(options.parseMode), ...keyboardOf(options.keyboard) } });
  }

  /** Edits a message of the bot in this chat: the pressed button's message unless `messageId` says another. */
  edit(text: string, options: EditOptions = {}): this {
    return this.push({
      edit: {
        text,
        ...(options.messageId ? { messageId: String(options.messageId) } : {}),
        ...parseMode(options.parseMode),
        ...(options.keyboard ? { keyboard: options.keyboard.toJson() } : {}),
      },
    });
  }

  /** Stops the pressed button's spinner, with a toast (or an alert) when `text` is given. */
  answerCallback(text?: string, options: { readonly alert?: boolean } = {}): this {
    return this.push({ answerCallback: { ...(text ? { text } : {}), ...(options.alert ? { showAlert: true } : {}) } });
  }

  sendPhoto(fileId: string, options: MessageOptions & { readonly caption?: string } = {}): this {
    return this.push({
      sendPhoto: {
        fileId,
        ...targetOf(options),
        ...(options.caption ? { caption: options.caption } : {}),
        ...parseMode(options.parseMode),
        ...keyboardOf(options.keyboard),
      },
    });
  }

  sendDocument(fileId: string, options: MessageOptions & { readonly caption?: string } = {}): this {
    return this.push({
      sendDocument: {
        fileId,
        ...targetOf(options),
        ...(options.caption ? { caption: options.caption } : {}),
        ...parseMode(options.parseMode),
        ...keyboardOf(options.keyboard),
      },
    });
  }

  /** An invoice message (its pay button first, then `keyboard`'s buttons). Amounts in minor units. */
  sendInvoice(invoice: InvoiceJson, options: { readonly keyboard?: InlineKeyboard } = {}): this {
    return this.push({ sendInvoice: { invoice, ...(options.keyboard ? { keyboard: options.keyboard.toJson() } : {}) } });
  }

  /** A message with a button opening an invoice link (the only way to sell a Stars subscription). */
  sendInvoiceLink(invoice: InvoiceJson, text: string, buttonText: string, options: { readonly parseMode?: ParseMode } = {}): this {
    return this.push({ sendInvoiceLink: { invoice, text, buttonText, ...parseMode(options.parseMode) } });
  }

  /** Accepts or declines the checkout this update is about (Telegram waits 10 s at most). */
  answerPreCheckout(ok: true): this;
  answerPreCheckout(ok: false, errorMessage: string): this;
  answerPreCheckout(ok: boolean, errorMessage?: string): this {
    return this.push({ answerPreCheckout: { ok, ...(errorMessage ? { errorMessage } : {}) } });
  }

  /** Deletes a message of this chat: the pressed button's message unless `messageId` says another. */
  deleteMessage(messageId?: number): this {
    return this.push({ deleteMessage: messageId ? { messageId: String(messageId) } : {} });
  }

  /** The member's next text (or photo, or document) in this chat answers `step`, one of the service's own. */
  enterStep(step: string, data: Readonly<Record<string, string>> = {}): this {
    return this.push({ enterStep: { step, ...(Object.keys(data).length > 0 ? { data: { ...data } } : {}) } });
  }

  leaveStep(): this {
    return this.push({ leaveStep: {} });
  }

  /** True once an action of this kind was added (the router answers a press left unanswered). */
  has(kind: keyof BotActionJson): boolean {
    return this.actions.some((action) => action[kind] !== undefined);
  }

  /** The actions to send back, the session's last value included when it changed. */
  finish(): BotActionJson[] {
    if (!this.sessionChanged) return this.actions;
    const sessionJson = this.sessionValue === undefined ? '' : JSON.stringify(this.sessionValue);
    return [...this.actions, { setSession: { sessionJson } }];
  }

  private push(action: BotActionJson): this {
    this.actions.push(action);
    return this;
  }
}

function targetOf(options: MessageOptions): { chatId?: string; messageThreadId?: number } {
  return { ...(options.chatId ? { chatId: options.chatId } : {}), ...(options.threadId ? { messageThreadId: options.threadId } : {}) };
}

function parseMode(mode: ParseMode | undefined): { parseMode?: ParseModeJson } {
  return mode ? { parseMode: PARSE_MODES[mode] } : {};
}

function keyboardOf(keyboard: MessageKeyboard | undefined) {
  if (keyboard === undefined) return {};
  if (keyboard === 'remove') return { keyboard: { removeReply: true } };
  if (keyboard instanceof ReplyKeyboard) return { keyboard: { reply: keyboard.toJson() } };
  return keyboard.isEmpty ? {} : { keyboard: { inline: keyboard.toJson() } };
}
