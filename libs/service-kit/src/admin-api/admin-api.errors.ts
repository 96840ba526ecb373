/**
 * The admin API's own refusals. Each carries the area of the service that answers (`SUBSCRIPTIONS`,
 * `NOTIFICATIONS`...), so a caller reads `<AREA>.UNAUTHENTICATED` from whichever service it called;
 * `httpStatusOf` maps them by their suffix.
 */
abstract class AdminApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No `Authorization: Bearer <bot API token>`, or a token the users service does not know. */
export class UnauthenticatedError extends AdminApiError {
  constructor(area: string) {
    super(`${area}.UNAUTHENTICATED`, "a bot's API token is required: Authorization: Bearer bp_…");
  }
}

/** A bot's token on another bot's path: refused before anything is read, whether that bot exists or not. */
export class ForbiddenTenantError extends AdminApiError {
  constructor(area: string) {
    super(`${area}.FORBIDDEN_TENANT`, "a bot's API token may only reach its own bot");
  }
}

/** The users service, which checks the tokens, did not answer: nobody can be authenticated now. */
export class AuthenticationUnavailableError extends AdminApiError {
  constructor(area: string, cause: string) {
    super(`${area}.AUTHENTICATION_UNAVAILABLE`, `the users service could not check the token: ${cause}`);
  }
}
