/** No scheduled message of that id in that bot. */
export class ScheduledMessageNotFoundError extends Error {
  readonly code = 'NOTIFICATIONS.SCHEDULED_MESSAGE_NOT_FOUND';
  constructor(id: string) {
    super(`no scheduled message ${id}`);
    this.name = 'ScheduledMessageNotFoundError';
  }
}

/** It was sent already: too late to cancel. */
export class ScheduledMessageAlreadySentError extends Error {
  readonly code = 'NOTIFICATIONS.SCHEDULED_MESSAGE_SENT';
  constructor(id: string) {
    super(`scheduled message ${id} was sent already`);
    this.name = 'ScheduledMessageAlreadySentError';
  }
}

export class ScheduledMessageAlreadyCancelledError extends Error {
  readonly code = 'NOTIFICATIONS.SCHEDULED_MESSAGE_CANCELLED';
  constructor(id: string) {
    super(`scheduled message ${id} was cancelled already`);
    this.name = 'ScheduledMessageAlreadyCancelledError';
  }
}

/** A send time in the past, or a chat id or audience the service cannot send to. */
export class InvalidScheduleError extends Error {
  readonly code = 'NOTIFICATIONS.INVALID_SCHEDULE';
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidScheduleError';
  }
}
