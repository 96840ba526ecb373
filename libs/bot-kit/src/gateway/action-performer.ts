import type { BotActionJson, InlineKeyboardJson, InvoiceJson, KeyboardJson, ParseModeJson } from '@botplatform/contracts';
import { GrammyError, type Api } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup, ParseMode, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import { fitsCallbackData, namespaceOfCallbackData } from '../routing/callback-data.js';
import type { RoutingTable } from '../routing/routing-table.js';
import type { AwaitingStep } from './bot-update.translation.js';

/** What the gateway keeps at most for one service's session slice in one chat. */
export const SESSION_SLICE_MAX_BYTES = 4_096;

/** Why an answer was refused. */
export type ActionRefusal =
  | 'callback_namespace'
  | 'callback_too_long'
  | 'undeclared_step'
  | 'session_too_large'
  | 'session_not_json'
  | 'no_target'
  | 'invalid_invoice'
  | 'empty_action';

/**
 * A service answered an action the gateway will not perform: a button outside its own callback
 * namespaces or over Telegram's 64 bytes, a step it did not declare, a session slice too large, an
 * action with nothing to act on. The whole answer is refused before anything is sent (see
 * `performActions`).
 */
export class ActionRefusedError extends Error {
  readonly code = 'BOT.ACTION_REFUSED';
  constructor(
    readonly service: string,
    /** Position of the refused action in the answer. */
    readonly index: number,
    readonly reason: ActionRefusal,
    detail: string,
  ) {
    super(`action ${index} of ${service}'s answer refused (${reason}): ${detail}`);
    this.name = 'ActionRefusedError';
  }
}

/** What the actions act on: the chat, and the button press or checkout the update was about. */
export interface ActionTarget {
  readonly chatId: number;
  readonly callbackQueryId?: string;
  /** The message under the pressed button (the default of edit and delete). */
  readonly callbackMessageId?: number;
  readonly preCheckoutQueryId?: string;
}

export interface ActionCheck {
  /** The answering service. */
  readonly service: string;
  readonly table: RoutingTable;
  readonly target: ActionTarget;
}

/** What performing an answer changed beside Telegram: the chat's session, for the caller to keep. */
export interface ActionEffects {
  /** The service's new slice ("" clears it); absent when unchanged. */
  readonly sessionJson?: string;
  /** The step entered, `null` when left; absent when unchanged. */
  readonly step?: AwaitingStep | null;
  readonly answeredCallback: boolean;
  readonly answeredPreCheckout: boolean;
}

/**
 * Checks a whole answer before any of it is performed. Pure.
 * @returns the first refusal, or `undefined` when every action may be performed.
 */
export function checkActions(actions: readonly BotActionJson[], { service, table, target }: ActionCheck): ActionRefusedError | undefined {
  for (const [index, action] of actions.entries()) {
    const refuse = (reason: ActionRefusal, detail: string) => new ActionRefusedError(service, index, reason, detail);
    const buttons = buttonsOf(action);
    for (const data of buttons) {
      if (!fitsCallbackData(data)) return refuse('callback_too_long', `callback data "${data}" is over 64 bytes`);
      const namespace = namespaceOfCallbackData(data);
      if (namespace === undefined || !table.ownsNamespace(service, namespace)) {
        return refuse('callback_namespace', `callback data "${data}" is not in a namespace ${service} declared`);
      }
    }
    if (action.edit && !Number(action.edit.messageId ?? 0) && !target.callbackMessageId)
      return refuse('no_target', 'edit names no message and no button was pressed');
    if (action.deleteMessage && !Number(action.deleteMessage.messageId ?? 0) && !target.callbackMessageId) {
      return refuse('no_target', 'delete names no message and no button was pressed');
    }
    if (action.answerCallback && !target.callbackQueryId) return refuse('no_target', 'answer_callback outside a button press');
    if (action.answerPreCheckout && !target.preCheckoutQueryId) return refuse('no_target', 'answer_pre_checkout outside a pre-checkout query');
    if (action.sendInvoice || action.sendInvoiceLink) {
      const invoice = (action.sendInvoice ?? action.sendInvoiceLink)?.invoice;
      const problem = invoiceProblem(invoice, action.sendInvoice !== undefined);
      if (problem) return refuse('invalid_invoice', problem);
    }
    if (action.setSession) {
      const json = action.setSession.sessionJson ?? '';
      const bytes = Buffer.byteLength(json, 'utf8');
      if (bytes > SESSION_SLICE_MAX_BYTES) return refuse('session_too_large', `a slice of ${bytes} bytes is over ${SESSION_SLICE_MAX_BYTES}`);
      if (json !== '' && !isJson(json)) return refuse('session_not_json', 'the slice is not JSON');
    }
    if (action.enterStep && !table.ownsStep(service, action.enterStep.step ?? '')) {
      return refuse('undeclared_step', `step "${action.enterStep.step ?? ''}" is not one ${service} declared`);
    }
    if (Object.keys(action).length === 0) return refuse('empty_action', 'an action with nothing set');
  }
  return undefined;
}

export interface PerformOptions extends ActionCheck {
  readonly api: Api;
}

/**
 * Performs one service's answer in order with the bot's `Api` (the host's throttled, retried path).
 * The answer is checked first as a whole (`checkActions`): a refused answer performs nothing at all and
 * throws the `ActionRefusedError`, so a member never sees half of a screen that a forged or broken
 * answer built. An edit that changes nothing ("message is not modified") is not an error. A Telegram
 * error in the middle stops the rest and is thrown (what was sent stays sent).
 */
export async function performActions(actions: readonly BotActionJson[], options: PerformOptions): Promise<ActionEffects> {
  const refused = checkActions(actions, options);
  if (refused) throw refused;
  const { api, target, service } = options;
  const { chatId } = target;
  let sessionJson: string | undefined;
  let step: AwaitingStep | null | undefined;
  let answeredCallback = false;
  let answeredPreCheckout = false;
  for (const action of actions) {
    if (action.reply) {
      const { text = '', parseMode, keyboard } = action.reply;
      await api.sendMessage(Number(action.reply.chatId ?? 0) || chatId, text, { ...threadOf(action.reply), ...parseModeOf(parseMode), ...markupOf(keyboard) });
    } else if (action.edit) {
      const { text = '', parseMode, keyboard } = action.edit;
      const messageId = Number(action.edit.messageId ?? 0) || target.callbackMessageId!;
      await notModifiedIsFine(() =>
        api.editMessageText(chatId, messageId, text, { ...parseModeOf(parseMode), ...(keyboard ? { reply_markup: inlineMarkupOf(keyboard) } : {}) }),
      );
    } else if (action.answerCallback) {
      const { text, showAlert } = action.answerCallback;
      await api.answerCallbackQuery(target.callbackQueryId!, { ...(text ? { text } : {}), ...(showAlert ? { show_alert: true } : {}) });
      answeredCallback = true;
    } else if (action.sendPhoto) {
      const { fileId = '', caption, parseMode, keyboard } = action.sendPhoto;
      await api.sendPhoto(Number(action.sendPhoto.chatId ?? 0) || chatId, fileId, {
        ...threadOf(action.sendPhoto),
        ...(caption ? { caption } : {}),
        ...parseModeOf(parseMode),
        ...markupOf(keyboard),
      });
    } else if (action.sendDocument) {
      const { fileId = '', caption, parseMode, keyboard } = action.sendDocument;
      await api.sendDocument(Number(action.sendDocument.chatId ?? 0) || chatId, fileId, {
        ...threadOf(action.sendDocument),
        ...(caption ? { caption } : {}),
        ...parseModeOf(parseMode),
        ...markupOf(keyboard),
      });
    } else if (action.sendInvoice) {
      const invoice = action.sendInvoice.invoice!;
      const rows = inlineMarkupOf(action.sendInvoice.keyboard ?? {}).inline_keyboard;
      const hasPay = rows.some((row) => row.some((button) => 'pay' in button && button.pay));
      const markup = rows.length === 0 ? {} : { reply_markup: { inline_keyboard: hasPay ? rows : [[payButton(invoice)], ...rows] } };
      await api.sendInvoice(chatId, invoice.title ?? '', invoice.description ?? '', invoice.payload ?? '', invoice.currency ?? '', pricesOf(invoice), {
        ...(invoice.providerToken ? { provider_token: invoice.providerToken } : {}),
        ...(invoice.photoUrl ? { photo_url: invoice.photoUrl } : {}),
        ...markup,
      });
    } else if (action.sendInvoiceLink) {
      const { invoice, text = '', buttonText = '', parseMode } = action.sendInvoiceLink;
      const link = await api.createInvoiceLink(
        invoice!.title ?? '',
        invoice!.description ?? '',
        invoice!.payload ?? '',
        invoice!.providerToken ?? '',
        invoice!.currency ?? '',
        pricesOf(invoice!),
        {
          ...(invoice!.subscriptionPeriod ? { subscription_period: invoice!.subscriptionPeriod } : {}),
          ...(invoice!.photoUrl ? { photo_url: invoice!.photoUrl } : {}),
        },
      );
      await api.sendMessage(chatId, text, { ...parseModeOf(parseMode), reply_markup: { inline_keyboard: [[{ text: buttonText, url: link }]] } });
    } else if (action.answerPreCheckout) {
      const { ok, errorMessage } = action.answerPreCheckout;
      await api.answerPreCheckoutQuery(target.preCheckoutQueryId!, ok === true, ok ? {} : { error_message: errorMessage || 'declined' });
      answeredPreCheckout = true;
    } else if (action.deleteMessage) {
      await api.deleteMessage(chatId, Number(action.deleteMessage.messageId ?? 0) || target.callbackMessageId!);
    } else if (action.setSession) {
      sessionJson = action.setSession.sessionJson ?? '';
    } else if (action.enterStep) {
      const data = action.enterStep.data ?? {};
      step = { service, step: action.enterStep.step ?? '', ...(Object.keys(data).length > 0 ? { data } : {}) };
    } else if (action.leaveStep) {
      step = null;
    }
  }
  return { ...(sessionJson !== undefined ? { sessionJson } : {}), ...(step !== undefined ? { step } : {}), answeredCallback, answeredPreCheckout };
}

/** Every callback data an action would put under a message. */
function buttonsOf(action: BotActionJson): string[] {
  const keyboards: (KeyboardJson | undefined)[] = [action.reply?.keyboard, action.sendPhoto?.keyboard, action.sendDocument?.keyboard];
  const inline: (InlineKeyboardJson | undefined)[] = [...keyboards.map((keyboard) => keyboard?.inline), action.edit?.keyboard, action.sendInvoice?.keyboard];
  return inline.flatMap((keyboard) =>
    (keyboard?.rows ?? []).flatMap((row) => (row.buttons ?? []).flatMap((button) => (button.callbackData !== undefined ? [button.callbackData] : []))),
  );
}

function invoiceProblem(invoice: InvoiceJson | undefined, message: boolean): string | undefined {
  if (!invoice) return 'no invoice';
  const payloadBytes = Buffer.byteLength(invoice.payload ?? '', 'utf8');
  if (payloadBytes < 1 || payloadBytes > 128) return 'the payload must be 1 to 128 bytes';
  if (!invoice.title || !invoice.description) return 'an invoice needs a title and a description';
  const prices = invoice.prices ?? [];
  if (prices.length === 0 || prices.some((price) => !(Number(price.amount ?? 0) > 0))) return 'an invoice needs prices with positive amounts';
  if (invoice.currency === 'XTR') {
    if (invoice.providerToken) return 'a Stars invoice has no provider token';
    if (prices.length !== 1) return 'a Stars invoice has exactly one price';
  }
  if (invoice.subscriptionPeriod) {
    if (message) return 'a subscription is sold by an invoice link, not an invoice message';
    if (invoice.currency !== 'XTR' || invoice.subscriptionPeriod !== 2_592_000) return 'a subscription is XTR for 2592000 s (30 days)';
  }
  return undefined;
}

function pricesOf(invoice: InvoiceJson) {
  return (invoice.prices ?? []).map((price) => ({ label: price.label ?? '', amount: Number(price.amount ?? 0) }));
}

function payButton(invoice: InvoiceJson): InlineKeyboardButton {
  const total = pricesOf(invoice).reduce((sum, price) => sum + price.amount, 0);
  return { text: invoice.currency === 'XTR' ? `Pay ⭐️${total}` : `Pay ${total} ${invoice.currency}`, pay: true };
}

const PARSE_MODES: Partial<Record<ParseModeJson, ParseMode>> = { PARSE_MODE_HTML: 'HTML', PARSE_MODE_MARKDOWN_V2: 'MarkdownV2' };

function parseModeOf(mode: ParseModeJson | undefined): { parse_mode?: ParseMode } {
  const parseMode = mode && PARSE_MODES[mode];
  return parseMode ? { parse_mode: parseMode } : {};
}

function inlineMarkupOf(keyboard: InlineKeyboardJson): InlineKeyboardMarkup {
  return {
    inline_keyboard: (keyboard.rows ?? [])
      .map((row) =>
        (row.buttons ?? []).map((button): InlineKeyboardButton => {
          const text = button.text ?? '';
          if (button.callbackData !== undefined) return { text, callback_data: button.callbackData };
          if (button.url !== undefined) return { text, url: button.url };
          return { text, pay: true };
        }),
      )
      .filter((row) => row.length > 0),
  };
}

function markupOf(keyboard: KeyboardJson | undefined): { reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove } {
  if (!keyboard) return {};
  if (keyboard.inline) return { reply_markup: inlineMarkupOf(keyboard.inline) };
  if (keyboard.reply) {
    const { rows = [], oneTime, resize } = keyboard.reply;
    return {
      reply_markup: {
        keyboard: rows.map((row) =>
          (row.buttons ?? []).map((button) => ({ text: button.text ?? '', ...(button.requestContact ? { request_contact: true } : {}) })),
        ),
        ...(oneTime ? { one_time_keyboard: true } : {}),
        ...(resize ? { resize_keyboard: true } : {}),
      },
    };
  }
  if (keyboard.removeReply) return { reply_markup: { remove_keyboard: true } };
  return {};
}

async function notModifiedIsFine(edit: () => Promise<unknown>): Promise<void> {
  try {
    await edit();
  } catch (error) {
    if (error instanceof GrammyError && error.description.includes('message is not modified')) return;
    throw error;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The forum topic of a message sent to another chat (`message_thread_id`), when one is named. */
function threadOf(action: { readonly messageThreadId?: number }): { message_thread_id?: number } {
  return action.messageThreadId ? { message_thread_id: action.messageThreadId } : {};
}
