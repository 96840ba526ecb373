/** Base of the admin API's own refusals (authentication and scope). */
export abstract class AdminApiError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No `Authorization: Bearer <token>`, or a token nobody issued (or one that was reissued). */
export class UnauthenticatedError extends AdminApiError {
  readonly code = 'USERS.UNAUTHENTICATED';
  constructor() {
    super('a valid Authorization: Bearer <token> is required');
  }
}

/** A bot's API token on an operator-only route (registering, listing, activating bots...). */
export class OperatorOnlyError extends AdminApiError {
  readonly code = 'USERS.OPERATOR_ONLY';
  constructor() {
    super('only the operator token may do this');
  }
}

/** A route about "my bot" called with the operator token, which belongs to no bot. */
export class BotTokenOnlyError extends AdminApiError {
  readonly code = 'USERS.BOT_TOKEN_ONLY';
  constructor() {
    super("only a bot's API token may do this");
  }
}
