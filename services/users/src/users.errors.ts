/**
 * Base of every refusal of the users service: a stable `code` (`USERS.<REASON>`) that RPC callers get as
 * `RpcCallError.code`, the admin API as the JSON error's `code`, and the gateway turns into a text in the
 * user's language.
 */
export abstract class UsersError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
