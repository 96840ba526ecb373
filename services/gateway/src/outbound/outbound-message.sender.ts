import { GrammyError, HttpError, type Api } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import type { DeliveryKey, SendOutcome } from './outbound-delivery.ledger.js';
import type { TelegramThrottle, ThrottledBot } from './telegram-throttle.js';

/** A requested message as the gateway sends it. */
export interface OutboundMessage extends DeliveryKey {
  readonly text: string;
  readonly parseMode?: 'HTML' | 'MarkdownV2';
  readonly buttons: readonly (readonly OutboundButton[])[];
  readonly disableNotification: boolean;
  /** The forum topic of the chat to post in (Telegram's `message_thread_id`); the chat itself when absent. */
  readonly messageThreadId?: number;
  /** Sent with `allow_paid_broadcast` (the bot's paid lane, up to 1000/s, 0.1 Star a message). */
  readonly paidBroadcast?: boolean;
  /** A photo (file id or URL) with `text` as its caption. */
  readonly photo?: string;
  /** Edit this message of the bot (its text and buttons) instead of sending one. */
  readonly editMessageId?: number;
}

export type OutboundButton = { readonly text: string; readonly callbackData: string } | { readonly text: string; readonly url: string };

/** Rounds through the throttle for 5xx and network failures (429s are the throttle's own retries). */
export interface SendRetryPolicy {
  /** Rounds in all, the first included (default 4). */
  readonly rounds: number;
  /** Pause before round n + 1, the last value repeating (default 0.5 s, 2 s, 5 s). */
  readonly backoffMs: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
}

/** About 7.5 s of retries before a message Telegram keeps failing on is given up. */
export const DEFAULT_SEND_RETRY: SendRetryPolicy = { rounds: 4, backoffMs: [500, 2_000, 5_000] };

/**
 * Sends one message through the throttle and says what became of it; never throws. 403 and 400 are
 * final; 5xx and network failures are tried again a few times (Telegram did not take the message, or
 * we could not reach it), then given up. `beforeCall` runs right before each Bot API call, once the
 * throttle lets it go; the call waits for it.
 */
export async function sendOutboundMessage(
  api: Api,
  throttle: TelegramThrottle,
  bot: ThrottledBot,
  message: OutboundMessage,
  retry: SendRetryPolicy = DEFAULT_SEND_RETRY,
  beforeCall?: () => void | Promise<void>,
): Promise<SendOutcome> {
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const replyMarkup = message.buttons.length ? { inline_keyboard: message.buttons.map((row) => row.map(toTelegramButton)) } : undefined;
  let attempts = 0;
  for (let round = 1; ; round++) {
    // `beforeCall` throwing (a worker stopping) leaves Telegram uncalled: the error comes back as the outcome.
    const outcome = await throttle.send(
      bot,
      message.chatId,
      () => call(api, message, replyMarkup),
      message.paidBroadcast ? 'paid' : 'bulk',
      beforeCall && (async () => beforeCall()),
    );
    attempts += outcome.attempts;
    if (outcome.ok) return { kind: 'delivered', messageId: outcome.value, attempts };
    const { error } = outcome;
    // An edit that changes nothing (a progress message shown again as it was) left the message as asked.
    if (message.editMessageId && isNotModified(error)) return { kind: 'delivered', messageId: message.editMessageId, attempts };
    const transient = (error instanceof GrammyError && error.error_code >= 500) || error instanceof HttpError;
    if (transient && round < retry.rounds) {
      await sleep(retry.backoffMs[Math.min(round, retry.backoffMs.length) - 1] ?? 0);
      continue;
    }
    return { kind: 'failed', ...classify(error), attempts };
  }
}

/** The one Bot API call of a request: an edit, a photo with its caption, or a text message; the message id. */
async function call(api: Api, message: OutboundMessage, replyMarkup: { inline_keyboard: InlineKeyboardButton[][] } | undefined): Promise<number> {
  const formatting = {
    ...(message.parseMode ? { parse_mode: message.parseMode } : {}),
    ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
  };
  if (message.editMessageId) {
    await api.editMessageText(message.chatId, message.editMessageId, message.text, formatting);
    return message.editMessageId;
  }
  const delivery = {
    ...formatting,
    ...(message.disableNotification ? { disable_notification: true } : {}),
    ...(message.messageThreadId ? { message_thread_id: message.messageThreadId } : {}),
    ...(message.paidBroadcast ? { allow_paid_broadcast: true } : {}),
  };
  if (message.photo)
    return (await api.sendPhoto(message.chatId, message.photo, { ...delivery, ...(message.text ? { caption: message.text } : {}) })).message_id;
  return (await api.sendMessage(message.chatId, message.text, delivery)).message_id;
}

function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description);
}

function classify(error: unknown): { failure: Extract<SendOutcome, { kind: 'failed' }>['failure']; description: string } {
  if (error instanceof GrammyError) {
    const { error_code: code, description } = error;
    if (code === 403) return { failure: 'forbidden', description };
    // 401: the token was revoked; 404: the token is not one Telegram knows.
    if (code === 401 || code === 404) return { failure: 'bot_unavailable', description };
    if (code === 429 || code >= 500) return { failure: 'gave_up', description };
    return { failure: 'rejected', description };
  }
  if (error instanceof HttpError) return { failure: 'gave_up', description: error.message };
  // Not an answer from Telegram: whether the request left is unknown, and it is not sent again.
  return { failure: 'outcome_unknown', description: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
}

function toTelegramButton(button: OutboundButton): InlineKeyboardButton {
  return 'url' in button ? { text: button.text, url: button.url } : { text: button.text, callback_data: button.callbackData };
}

/** True for the 403 Telegram gives when the user never started the bot (not a block: nothing to record). */
export function isNeverStarted(description: string): boolean {
  return /can't initiate conversation/i.test(description);
}
