/** The class-validator pattern of a Telegram user id in a request (the contract's int64 as a decimal string). */
export const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * A Telegram id from a request the DTO already matched against TELEGRAM_USER_ID: Telegram guarantees at
 * most 52 significant bits, so it fits a JS number exactly.
 */
export const telegramUserIdOf = (value: string): number => Number(value);
