/**
 * Base of every refusal of the gamification service: a stable `code` (`GAMIFICATION.<REASON>`) that RPC callers
 * get as `RpcCallError.code`.
 */
export abstract class GamificationError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
