import { UsersError } from '../users.errors.js';

/** A `rpc.users.handle-bot-update` payload that is not a well-formed BotUpdate the gateway would send. */
export class InvalidBotUpdateError extends UsersError {
  readonly code = 'USERS.INVALID_BOT_UPDATE';
  constructor(reason: string) {
    super(`invalid bot update: ${reason}`);
  }
}
