import { badRequest, type TelegramApiError } from '../errors/telegram-api.error.js';

/** A parse_mode syntax error; Telegram reports it as `Bad Request: can't parse entities: <reason>`. */
export class EntityParseError extends Error {
  readonly code = 'ENTITIES.PARSE_FAILED';

  toTelegramError(): TelegramApiError {
    return badRequest(`can't parse entities: ${this.message}`);
  }
}

/** UTF-8 byte offset of a UTF-16 index; Telegram's parser messages count bytes. */
export function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}
