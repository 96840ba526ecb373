/** Stable codes for mistakes in how a test or the web chat drives the sandbox (not Bot API errors). */
export type SandboxUsageErrorCode =
  | 'SANDBOX.NOT_STARTED'
  | 'SANDBOX.ALREADY_STARTED'
  | 'SANDBOX.BOT_AMBIGUOUS'
  | 'SANDBOX.BOT_NOT_FOUND'
  | 'SANDBOX.BOT_EXISTS'
  | 'SANDBOX.USER_NOT_FOUND'
  | 'SANDBOX.CHAT_NOT_FOUND'
  | 'SANDBOX.MESSAGE_NOT_FOUND'
  | 'SANDBOX.BUTTON_NOT_FOUND'
  | 'SANDBOX.NOT_AN_INVOICE'
  | 'SANDBOX.USER_BLOCKED_BOT'
  | 'SANDBOX.NOT_A_MEMBER'
  | 'SANDBOX.INVALID_INPUT'
  | 'SANDBOX.CHARGE_NOT_FOUND'
  | 'SANDBOX.STATE_FILE_UNREADABLE';

/** Thrown by the users' side API when the caller asks for something the simulated world cannot do. */
export class SandboxUsageError extends Error {
  constructor(
    readonly code: SandboxUsageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxUsageError';
  }
}

/** Thrown by the `waitFor*` helpers when nothing matching arrives in time. */
export class WaitTimeoutError extends Error {
  readonly code = 'SANDBOX.WAIT_TIMEOUT';

  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}
