/** A chat id beyond what a JS number holds exactly (Telegram's ids have at most 52 bits). */
export class InvalidChatIdError extends Error {
  readonly code = 'NOTIFICATIONS.INVALID_CHAT_ID';
  constructor(value: string) {
    super(`not a Telegram chat id: ${value}`);
    this.name = 'InvalidChatIdError';
  }
}
