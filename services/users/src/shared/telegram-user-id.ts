import { UsersError } from '../users.errors.js';

/** A Telegram user id outside the range Telegram uses (positive, at most 52 bits). */
export class InvalidTelegramUserIdError extends UsersError {
  readonly code = 'USERS.INVALID_TELEGRAM_USER_ID';
  constructor(value: string) {
    super(`not a Telegram user id: ${value}`);
  }
}

/** Telegram ids arrive as the contract's int64 JSON (a decimal string); they always fit a JS number exactly. */
export function parseTelegramUserId(value: string): number {
  const id = Number(value);
  if (!/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(id)) throw new InvalidTelegramUserIdError(value);
  return id;
}

/** The class-validator pattern of a Telegram user id in a request. */
export const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;
