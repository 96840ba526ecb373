import type { ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import { badRequest } from '../errors/telegram-api.error.js';

/** A validated `reply_markup`; only `inline` ends up on the message itself, the rest changes the user's keyboard. */
export type ParsedReplyMarkup =
  | { kind: 'inline'; markup: InlineKeyboardMarkup }
  | { kind: 'keyboard'; markup: ReplyKeyboardMarkup }
  | { kind: 'remove'; markup: ReplyKeyboardRemove }
  | { kind: 'force_reply'; markup: ForceReply };

/** callback_data is limited to 64 bytes. */
const MAX_CALLBACK_DATA_BYTES = 64;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates `reply_markup` with the Bot API server's checks and error texts. */
export function parseReplyMarkup(json: string): ParsedReplyMarkup | undefined {
  if (json.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  if (!isObject(value)) throw badRequest('object expected as reply markup');

  const keyboard = parseKeyboardRows(value);
  if (keyboard.length > 0) {
    return {
      kind: 'keyboard',
      markup: {
        keyboard,
        ...pickBooleans(value, ['is_persistent', 'resize_keyboard', 'one_time_keyboard', 'selective']),
        ...(typeof value.input_field_placeholder === 'string' ? { input_field_placeholder: value.input_field_placeholder } : {}),
      },
    };
  }
  const inline = parseInlineRows(value);
  if (inline.length > 0) return { kind: 'inline', markup: { inline_keyboard: inline } };
  if (value.remove_keyboard === true || value.hide_keyboard === true) {
    return { kind: 'remove', markup: { remove_keyboard: true, ...pickBooleans(value, ['selective']) } };
  }
  if (value.force_reply === true) {
    return {
      kind: 'force_reply',
      markup: {
        force_reply: true,
        ...pickBooleans(value, ['selective']),
        ...(typeof value.input_field_placeholder === 'string' ? { input_field_placeholder: value.input_field_placeholder } : {}),
      },
    };
  }
  return undefined;
}

function parseKeyboardRows(value: JsonObject): KeyboardButton[][] {
  if (value.keyboard === undefined) return [];
  if (!Array.isArray(value.keyboard)) throw badRequest('field "keyboard" must be of type Array');
  return value.keyboard.map((row) => {
    if (!Array.isArray(row)) throw badRequest('field "keyboard" must be an Array of Arrays');
    return row.map((button): KeyboardButton => {
      if (typeof button === 'string') return { text: button };
      if (!isObject(button)) throw badRequest("can't parse keyboard button: KeyboardButton must be a String or an Object");
      if (typeof button.text !== 'string') throw badRequest('can\'t parse keyboard button: Can\'t find field "text"');
      return { ...button, text: button.text } as KeyboardButton;
    });
  });
}

function parseInlineRows(value: JsonObject): InlineKeyboardButton[][] {
  if (value.inline_keyboard === undefined) return [];
  if (!Array.isArray(value.inline_keyboard)) throw badRequest('field "inline_keyboard" must be of type Array');
  return value.inline_keyboard.map((row) => {
    if (!Array.isArray(row)) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    return row.map(parseInlineButton);
  });
}

function parseInlineButton(button: unknown): InlineKeyboardButton {
  const fail = (reason: string): never => {
    throw badRequest(`can't parse inline keyboard button: ${reason}`);
  };
  if (!isObject(button)) return fail('InlineKeyboardButton must be an Object');
  if (typeof button.text !== 'string') return fail('Can\'t find field "text"');
  const text = button.text;
  if (typeof button.url === 'string' && button.url !== '') return { text, url: button.url };
  if (typeof button.callback_data === 'string' && button.callback_data !== '') {
    if (Buffer.byteLength(button.callback_data, 'utf8') > MAX_CALLBACK_DATA_BYTES) throw badRequest('BUTTON_DATA_INVALID');
    return { text, callback_data: button.callback_data };
  }
  if ('callback_game' in button) return { text, callback_game: {} };
  if ('pay' in button) return { text, pay: true };
  if (typeof button.switch_inline_query === 'string') return { text, switch_inline_query: button.switch_inline_query };
  if (typeof button.switch_inline_query_current_chat === 'string') {
    return { text, switch_inline_query_current_chat: button.switch_inline_query_current_chat };
  }
  if (isObject(button.switch_inline_query_chosen_chat)) {
    return { text, switch_inline_query_chosen_chat: button.switch_inline_query_chosen_chat };
  }
  if (isObject(button.login_url) && typeof button.login_url.url === 'string') {
    return { text, login_url: { url: button.login_url.url } };
  }
  if (isObject(button.web_app) && typeof button.web_app.url === 'string') return { text, web_app: { url: button.web_app.url } };
  if (isObject(button.copy_text) && typeof button.copy_text.text === 'string') {
    return { text, copy_text: { text: button.copy_text.text } };
  }
  return fail('Text buttons are unallowed in the inline keyboard');
}

function pickBooleans(value: JsonObject, names: readonly string[]): Record<string, true> {
  return Object.fromEntries(names.filter((name) => value[name] === true).map((name) => [name, true as const]));
}
