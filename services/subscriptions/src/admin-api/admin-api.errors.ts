import { SubscriptionsError } from '../subscriptions.errors.js';

/** No `Authorization: Bearer <bot API token>`, or a token the users service does not know. */
export class UnauthenticatedError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.UNAUTHENTICATED';
  constructor() {
    super("a bot's API token is required: Authorization: Bearer bp_…");
  }
}

/** A bot's token on another bot's path: refused before anything is read, whether that bot exists or not. */
export class ForbiddenTenantError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.FORBIDDEN_TENANT';
  constructor() {
    super("a bot's API token may only reach its own bot");
  }
}

/** The users service, which checks the tokens, did not answer: nobody can be authenticated now. */
export class AuthenticationUnavailableError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.AUTHENTICATION_UNAVAILABLE';
  constructor(cause: string) {
    super(`the users service could not check the token: ${cause}`);
  }
}
