import { InvalidTelegramUserIdError } from './user.errors.js';

/** Telegram ids arrive as the contract's int64 JSON (a decimal string); they always fit a JS number exactly. */
export function parseTelegramUserId(value: string): number {
  const id = Number(value);
  if (!/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(id)) throw new InvalidTelegramUserIdError(value);
  return id;
}

/** The class-validator pattern of a Telegram user id in a request. */
export const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;
