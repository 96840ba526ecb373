/**
 * Base of every refusal of the __name__ service: a stable `code` (`__NAME__.<REASON>`) that RPC callers
 * get as `RpcCallError.code`.
 */
export abstract class __Name__Error extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
