import { UsersError } from '../users.errors.js';

/** No bot group with this id. */
export class BotGroupNotFoundError extends UsersError {
  readonly code = 'USERS.GROUP_NOT_FOUND';
  constructor(readonly groupId: string) {
    super(`no bot group ${groupId}`);
  }
}

/** A group with this id exists already, for another owner or under another name. */
export class BotGroupAlreadyExistsError extends UsersError {
  readonly code = 'USERS.GROUP_ALREADY_EXISTS';
  constructor(readonly groupId: string) {
    super(`bot group ${groupId} exists already`);
  }
}

/** The bot's owner is not the group's: groups never cross tenants' owners. */
export class GroupOwnerMismatchError extends UsersError {
  readonly code = 'USERS.GROUP_OWNER_MISMATCH';
  constructor(
    readonly groupId: string,
    readonly botId: string,
  ) {
    super(`bot ${botId} has another owner than bot group ${groupId}`);
  }
}

/** A bot belongs to at most one group: it must leave its group before it joins another. */
export class BotAlreadyInGroupError extends UsersError {
  readonly code = 'USERS.BOT_ALREADY_IN_GROUP';
  constructor(
    readonly botId: string,
    readonly currentGroupId: string,
  ) {
    super(`bot ${botId} is already in bot group ${currentGroupId}`);
  }
}

/** A group's name: 1 to 100 characters. */
export class InvalidGroupNameError extends UsersError {
  readonly code = 'USERS.INVALID_GROUP_NAME';
  constructor() {
    super('a bot group name has 1 to 100 characters');
  }
}
