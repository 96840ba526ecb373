import { UsersError } from '../users.errors.js';

/** No bot with this id is registered. */
export class BotNotFoundError extends UsersError {
  readonly code = 'USERS.BOT_NOT_FOUND';
  constructor(readonly botId: string) {
    super(`no bot ${botId}`);
  }
}

/** The Telegram bot behind this token is already a tenant (one registration per Telegram bot). */
export class BotAlreadyRegisteredError extends UsersError {
  readonly code = 'USERS.BOT_ALREADY_REGISTERED';
  constructor(readonly telegramBotId: number) {
    super(`Telegram bot ${telegramBotId} is already registered`);
  }
}

/**
 * Not a BotFather token, or (on rotation) a token of another Telegram bot. The message never repeats
 * the token: it may be a real secret with a typo.
 */
export class InvalidBotTokenError extends UsersError {
  readonly code = 'USERS.INVALID_BOT_TOKEN';
  constructor(reason: string) {
    super(`invalid bot token: ${reason}`);
  }
}

/** A setting's key, value or description breaks its rules; `reason` says which. */
export class InvalidSettingError extends UsersError {
  readonly code = 'USERS.INVALID_SETTING';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`setting ${key}: ${reason}`);
  }
}

/** A setting written with another type than the one it has (built-in, or fixed by its first write). */
export class SettingTypeMismatchError extends UsersError {
  readonly code = 'USERS.SETTING_TYPE_MISMATCH';
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`setting ${key} is ${expected}, not ${actual}`);
  }
}

/** A flag name that is not lower-case dotted words. */
export class InvalidFeatureFlagError extends UsersError {
  readonly code = 'USERS.INVALID_FEATURE_FLAG';
  constructor(readonly flag: string) {
    super(`invalid feature flag name: ${flag}`);
  }
}

/** The bot is registered but deactivated: it is not served. */
export class BotInactiveError extends UsersError {
  readonly code = 'USERS.BOT_INACTIVE';
  constructor(readonly botId: string) {
    super(`bot ${botId} is deactivated`);
  }
}

/** The Telegram user who asked is not an admin or the owner of the bot. */
export class NotAnAdminError extends UsersError {
  readonly code = 'USERS.NOT_AN_ADMIN';
  constructor(
    readonly botId: string,
    readonly who: string,
  ) {
    super(`${who} is not an admin of bot ${botId}`);
  }
}

/** An IANA time zone the runtime does not know. */
export class InvalidTimezoneError extends UsersError {
  readonly code = 'USERS.INVALID_TIMEZONE';
  constructor(readonly timezone: string) {
    super(`unknown time zone: ${timezone}`);
  }
}

/**
 * A requester of one bot acting on another (an API token on another bot's path or command). Says
 * nothing about whether the other bot exists.
 */
export class ForbiddenTenantError extends UsersError {
  readonly code = 'USERS.FORBIDDEN_TENANT';
  constructor() {
    super('this token is not allowed to act on that bot');
  }
}

/**
 * Telegram does not know the token (getMe answered 401 or 404), or getMe names another bot than the
 * token's numeric prefix. Nothing was stored. The message never repeats the token.
 */
export class TelegramTokenRejectedError extends UsersError {
  readonly code = 'USERS.TELEGRAM_TOKEN_REJECTED';
  constructor(reason: string) {
    super(`Telegram rejected the bot token: ${reason}`);
  }
}

/**
 * Telegram (or the Bot API server configured) did not answer getMe in time or answered with a failure
 * of its own (5xx, 429). Nothing was stored; the same request may succeed later.
 */
export class TelegramUnreachableError extends UsersError {
  readonly code = 'USERS.TELEGRAM_UNREACHABLE';
  /** The request was fine: asking again later may succeed. */
  readonly retryable = true;
  constructor(reason: string) {
    super(`Telegram could not be asked about the bot token (try again later): ${reason}`);
  }
}
