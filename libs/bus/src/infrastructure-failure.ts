const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE: 08xxx connection exceptions; 57P01-57P03 the server shutting down or starting up; 53300 too many connections.
const POSTGRES_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
const DRIVER_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/**
 * True when the consumer's own infrastructure failed (its database unreachable or restarting), not
 * the event's handling. Such a failure is retried in place and never counts against the event's
 * attempts, so an outage cannot send healthy events to the dead letters.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (SOCKET_ERRORS.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
    current = cause;
  }
  return false;
}
