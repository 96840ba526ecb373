import { RpcCallError, isInfrastructureFailure } from '@botplatform/bus';
import { GrammyError, HttpError } from 'grammy';

/**
 * True when an update failed because something it depends on is away (a service that does not answer,
 * the broker, the database, Telegram itself), not because of what the update asked: the update is then
 * handled again later rather than answered with an apology. A typed answer from another service
 * (`USERS.MEMBER_BLOCKED`, `VALIDATION.FAILED`...) is a real answer and is never retried; `INTERNAL`
 * is the other service's own dependency failing, so it is retried too, a bounded number of times; a
 * typed `<SERVICE>.DEPENDENCY_UNAVAILABLE` says so outright (payments when subscriptions did not answer
 * the grant of a charge Telegram already took) and is retried like a service that does not answer.
 */
export function isRetryableUpdateFailure(error: unknown): boolean {
  if (error instanceof RpcCallError) return error.code === 'INTERNAL' || isDependencyAway(error);
  if (error instanceof GrammyError) return error.error_code === 429 || error.error_code >= 500;
  if (error instanceof HttpError) return true;
  if (isInfrastructureFailure(error)) return true;
  // No answer at all: the request timed out, or the transport could not carry it.
  return isNoAnswer(error);
}

/**
 * An `INTERNAL` answer keeps coming when the other side has a bug: give up on it after a few tries. A
 * dependency the other side says is away is waited for as long as one that does not answer us: giving
 * up there would leave a member's paid charge ungranted.
 */
export function isBoundedRetry(error: unknown): boolean {
  return error instanceof RpcCallError && !isDependencyAway(error);
}

/** A service's typed answer that something it depends on is away and it changed nothing: ask again later. */
function isDependencyAway(error: RpcCallError): boolean {
  return error.code.endsWith('.DEPENDENCY_UNAVAILABLE');
}

function isNoAnswer(error: unknown): boolean {
  // Nest's NATS client rejects with a bare string while it reconnects ('Error: Connection lost...').
  if (typeof error === 'string') return /connection|reconnect|timeout/i.test(error);
  const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'TimeoutError') return true; // rxjs `timeout()` of RpcClient.call
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|CONNECTION_CLOSED|CONNECTION_DRAINING|DISCONNECT|503|NO_RESPONDERS)$/i.test(code))
    return true;
  return (
    typeof message === 'string' && /no responders|connection closed|disconnected|not connected|connection lost|CONNECTION_REFUSED|Empty response/i.test(message)
  );
}
