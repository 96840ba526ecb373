/** A broadcast command the broadcast's state or its input does not allow; `code` is NOTIFICATIONS.BROADCAST_<REASON>. */
export class BroadcastError extends Error {
  constructor(
    readonly code:
      | 'NOTIFICATIONS.BROADCAST_INVALID'
      | 'NOTIFICATIONS.BROADCAST_NOT_FOUND'
      | 'NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED'
      | 'NOTIFICATIONS.BROADCAST_NO_AUDIENCE'
      | 'NOTIFICATIONS.BROADCAST_EMPTY_AUDIENCE'
      | 'NOTIFICATIONS.BROADCAST_NOT_RUNNING'
      | 'NOTIFICATIONS.BROADCAST_OVER'
      | 'NOTIFICATIONS.BROADCAST_FORBIDDEN',
    message: string,
  ) {
    super(message);
    this.name = 'BroadcastError';
  }
}
