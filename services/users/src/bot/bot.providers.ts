import { PostgresEventStore } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Provider } from '@nestjs/common';
import { BotDirectory } from './bot-directory.js';
import { BotRegistry, type BotAdminCheck } from './bot-registry.js';
import type { BotSecrets } from './bot-secrets.js';
import { telegramTokenCheck } from './telegram-token-check.js';

/** Nest token of the operator's admin API token (`string | undefined`). */
export const OPERATOR_API_TOKEN = Symbol('OPERATOR_API_TOKEN');

/** Nest token of the admin check the registry uses for `telegram:<id>` requesters (the user/ slice provides it). */
export const BOT_ADMIN_CHECK = Symbol('BOT_ADMIN_CHECK');

/**
 * The bot registry's providers, built once per service start with its secrets, and the Bot API root
 * tokens are checked against (none: shape only, see BotRegistry).
 */
export function botProviders(secrets: BotSecrets, telegramApiRoot?: string): Provider[] {
  const checkToken = telegramApiRoot ? telegramTokenCheck(telegramApiRoot) : undefined;
  return [
    { provide: OPERATOR_API_TOKEN, useValue: secrets.operatorToken },
    {
      provide: BotRegistry,
      inject: [PostgresEventStore, MikroORM, BOT_ADMIN_CHECK],
      useFactory: (store: PostgresEventStore, orm: MikroORM, isBotAdmin: BotAdminCheck) =>
        new BotRegistry(store, orm.em, secrets.cipher, isBotAdmin, checkToken),
    },
    { provide: BotDirectory, inject: [MikroORM], useFactory: (orm: MikroORM) => new BotDirectory(orm.em) },
  ];
}
