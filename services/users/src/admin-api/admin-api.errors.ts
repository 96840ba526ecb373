import { UsersError } from '../users.errors.js';

/** No `Authorization: Bearer <token>`, or a token nobody issued (or one that was reissued). */
export class UnauthenticatedError extends UsersError {
  readonly code = 'USERS.UNAUTHENTICATED';
  constructor() {
    super('a valid Authorization: Bearer <token> is required');
  }
}

/** A bot's API token on an operator-only route (registering, listing, activating bots...). */
export class OperatorOnlyError extends UsersError {
  readonly code = 'USERS.OPERATOR_ONLY';
  constructor() {
    super('only the operator token may do this');
  }
}

/** A route about "my bot" called with the operator token, which belongs to no bot. */
export class BotTokenOnlyError extends UsersError {
  readonly code = 'USERS.BOT_TOKEN_ONLY';
  constructor() {
    super("only a bot's API token may do this");
  }
}
