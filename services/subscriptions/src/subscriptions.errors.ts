/**
 * Base of every refusal of the subscriptions service: a stable `code` (`SUBSCRIPTIONS.<REASON>`) that RPC callers
 * get as `RpcCallError.code`.
 */
export abstract class SubscriptionsError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
