/** A Telegram user id outside the range Telegram uses (positive, at most 52 bits). */
export class InvalidTelegramUserIdError extends Error {
  readonly code = 'USERS.INVALID_TELEGRAM_USER_ID';
  constructor(value: string) {
    super(`not a Telegram user id: ${value}`);
    this.name = 'InvalidTelegramUserIdError';
  }
}
