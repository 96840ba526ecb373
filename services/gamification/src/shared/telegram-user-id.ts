/** The class-validator pattern of a Telegram user id in a request (the contract's int64 as a decimal string). */
export const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;

export const TELEGRAM_USER_ID_MESSAGE = 'telegramUserId must be a positive Telegram user id';
