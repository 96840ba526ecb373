import type { RpcErrorDetailsJson } from '@botplatform/contracts';
import { UsersError } from '../users.errors.js';

/** The member used up the bot's daily quota: nothing was consumed. */
export class QuotaExceededError extends UsersError {
  readonly code = 'USERS.QUOTA_EXCEEDED';
  /** What the caller gets besides the code (QuotaExceededDetails): when the member may ask again. */
  readonly details: RpcErrorDetailsJson<'USERS.QUOTA_EXCEEDED'>;

  constructor(
    readonly used: number,
    readonly limit: number,
    /** ISO time of the bot's next local midnight. */
    readonly resetsAt: string,
    readonly requested: number,
  ) {
    super(`daily quota exceeded: used ${used} of ${limit}, ${requested} more asked; resets at ${resetsAt}`);
    this.details = { used, limit, requested, resetsAt };
  }
}
