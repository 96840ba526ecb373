import { UsersError } from '../users.errors.js';

// Shared with the quota slice, so it lives beside the parser; still part of this slice's errors.
export { InvalidTelegramUserIdError } from '../shared/telegram-user-id.js';

/** The Telegram user has no membership in the bot (never wrote to it). */
export class NotAMemberError extends UsersError {
  readonly code = 'USERS.NOT_A_MEMBER';
  constructor(botId: string, telegramUserId: number) {
    super(`Telegram user ${telegramUserId} is not a member of bot ${botId}`);
  }
}

/** Only the bot's owner (or its admin API token) approves and revokes admins. */
export class OwnerOnlyError extends UsersError {
  readonly code = 'USERS.OWNER_ONLY';
  constructor(actor: string, action: string) {
    super(`only the bot's owner may ${action}; ${actor} is not the owner`);
  }
}

/** Admins cannot block (or unblock) other admins; nobody blocks the owner. */
export class CannotBlockAdminError extends UsersError {
  readonly code = 'USERS.CANNOT_BLOCK_ADMIN';
  constructor(target: 'owner' | 'admin') {
    super(target === 'owner' ? "the bot's owner cannot be blocked" : 'only the owner can block or unblock an admin');
  }
}

/** An admin tried to block themself. */
export class CannotBlockSelfError extends UsersError {
  readonly code = 'USERS.CANNOT_BLOCK_SELF';
  constructor() {
    super('an admin cannot block themself');
  }
}

/** A block needs a reason of 1-200 characters: it is shown in the audit log. */
export class ReasonRequiredError extends UsersError {
  readonly code = 'USERS.REASON_REQUIRED';
  constructor() {
    super('a block needs a reason of 1-200 characters');
  }
}

/** A member blocked by an admin of the bot asked for something the bot refuses them. */
export class MemberBlockedError extends UsersError {
  readonly code = 'USERS.MEMBER_BLOCKED';
  constructor(botId: string, telegramUserId: number) {
    super(`Telegram user ${telegramUserId} is blocked in bot ${botId}`);
  }
}

/** An admin actor string that is neither `telegram:<id>` nor `api:<token id>`. */
export class InvalidAdminActorError extends UsersError {
  readonly code = 'USERS.INVALID_ADMIN';
  constructor(value: string) {
    super(`not an admin actor: ${value} (expected telegram:<id> or api:<token id>)`);
  }
}

/** A `list-members` cursor that this service did not hand out (or that was altered). */
export class InvalidMemberCursorError extends UsersError {
  readonly code = 'USERS.INVALID_CURSOR';
  constructor() {
    super('invalid members cursor: pass next_cursor of the previous page unchanged');
  }
}
