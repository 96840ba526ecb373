/** An imported session slice over what a service's slice may hold (bot-kit's SESSION_SLICE_MAX_BYTES). */
export class SessionTooLargeError extends Error {
  readonly code = 'GATEWAY.SESSION_TOO_LARGE';
  constructor(bytes: number, max: number) {
    super(`a session slice of ${bytes} bytes is over ${max}`);
    this.name = 'SessionTooLargeError';
  }
}

/** An imported session that is not a JSON object. */
export class InvalidSessionError extends Error {
  readonly code = 'GATEWAY.INVALID_SESSION';
  constructor(reason: string) {
    super(`the session ${reason}`);
    this.name = 'InvalidSessionError';
  }
}
