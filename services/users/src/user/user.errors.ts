/** A Telegram user id outside the range Telegram uses (positive, at most 52 bits). */
export class InvalidTelegramUserIdError extends Error {
  readonly code = 'USERS.INVALID_TELEGRAM_USER_ID';
  constructor(value: string) {
    super(`not a Telegram user id: ${value}`);
    this.name = 'InvalidTelegramUserIdError';
  }
}

/** Base of the membership refusals: a stable `code` the gateway turns into a message in the user's language. */
export abstract class MembershipError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The Telegram user has no membership in the bot (never wrote to it). */
export class NotAMemberError extends MembershipError {
  readonly code = 'USERS.NOT_A_MEMBER';
  constructor(botId: string, telegramUserId: number) {
    super(`Telegram user ${telegramUserId} is not a member of bot ${botId}`);
  }
}

/** Only the bot's owner (or its admin API token) approves and revokes admins. */
export class OwnerOnlyError extends MembershipError {
  readonly code = 'USERS.OWNER_ONLY';
  constructor(actor: string, action: string) {
    super(`only the bot's owner may ${action}; ${actor} is not the owner`);
  }
}

/** Admins cannot block (or unblock) other admins; nobody blocks the owner. */
export class CannotBlockAdminError extends MembershipError {
  readonly code = 'USERS.CANNOT_BLOCK_ADMIN';
  constructor(target: 'owner' | 'admin') {
    super(target === 'owner' ? "the bot's owner cannot be blocked" : 'only the owner can block or unblock an admin');
  }
}

/** An admin tried to block themself. */
export class CannotBlockSelfError extends MembershipError {
  readonly code = 'USERS.CANNOT_BLOCK_SELF';
  constructor() {
    super('an admin cannot block themself');
  }
}

/** A block needs a reason of 1-200 characters: it is shown in the audit log. */
export class ReasonRequiredError extends MembershipError {
  readonly code = 'USERS.REASON_REQUIRED';
  constructor() {
    super('a block needs a reason of 1-200 characters');
  }
}

/** A member blocked by an admin of the bot asked for something the bot refuses them. */
export class MemberBlockedError extends MembershipError {
  readonly code = 'USERS.MEMBER_BLOCKED';
  constructor(botId: string, telegramUserId: number) {
    super(`Telegram user ${telegramUserId} is blocked in bot ${botId}`);
  }
}

/** An admin actor string that is neither `telegram:<id>` nor `api:<token id>`. */
export class InvalidAdminActorError extends MembershipError {
  readonly code = 'USERS.INVALID_ADMIN';
  constructor(value: string) {
    super(`not an admin actor: ${value} (expected telegram:<id> or api:<token id>)`);
  }
}
