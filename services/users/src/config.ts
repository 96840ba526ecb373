import { IsUrl } from 'class-validator';
import type { UsersServiceOptions } from './users.service.js';

/** The users service's own environment (beside `ServiceProcessConfig` and the secrets of bot/bot-secrets.ts), validated at start. */
export class UsersConfig {
  /** Where a bot's token is checked with getMe before it is registered: the gateway's TELEGRAM_API_ROOT. */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }, { message: 'TELEGRAM_API_ROOT must be an http(s) URL' })
  TELEGRAM_API_ROOT: string = 'https://api.telegram.org';
}

/** The validated environment in the form `createUsersService` takes (secrets are read when the service starts). */
export function usersRuntimeOptions(config: UsersConfig): UsersServiceOptions {
  return { telegramApiRoot: config.TELEGRAM_API_ROOT };
}
