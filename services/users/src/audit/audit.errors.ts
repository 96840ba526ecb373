import { UsersError } from '../users.errors.js';

/** A `query-audit` cursor that this service did not hand out (or that was altered). */
export class InvalidAuditCursorError extends UsersError {
  readonly code = 'USERS.INVALID_CURSOR';
  constructor() {
    super('invalid audit cursor: pass next_cursor of the previous page unchanged');
  }
}

/** An audit page size outside 1-100. */
export class InvalidAuditLimitError extends UsersError {
  readonly code = 'USERS.INVALID_AUDIT_LIMIT';
  constructor(limit: number) {
    super(`audit page size must be 1-100, got ${limit}`);
  }
}
