/**
 * Base of every refusal of the payments service: a stable `code` (`PAYMENTS.<REASON>`) that RPC callers
 * get as `RpcCallError.code`.
 */
export abstract class PaymentsError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
