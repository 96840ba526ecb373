import { PostgresEventStore } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Provider } from '@nestjs/common';
import { BotDirectory } from './bot-directory.js';
import { BotRegistry, type BotAdminCheck } from './bot-registry.js';
import type { BotSecrets } from './bot-secrets.js';

/** Nest token of the operator's admin API token (`string | undefined`). */
export const OPERATOR_API_TOKEN = Symbol('OPERATOR_API_TOKEN');

/** Nest token of the admin check the registry uses for `telegram:<id>` requesters (the user/ slice provides it). */
export const BOT_ADMIN_CHECK = Symbol('BOT_ADMIN_CHECK');

/** The bot registry's providers, built once per service start with its secrets. */
export function botProviders(secrets: BotSecrets): Provider[] {
  return [
    { provide: OPERATOR_API_TOKEN, useValue: secrets.operatorToken },
    {
      provide: BotRegistry,
      inject: [PostgresEventStore, MikroORM, BOT_ADMIN_CHECK],
      useFactory: (store: PostgresEventStore, orm: MikroORM, isBotAdmin: BotAdminCheck) => new BotRegistry(store, orm.em, secrets.cipher, isBotAdmin),
    },
    { provide: BotDirectory, inject: [MikroORM], useFactory: (orm: MikroORM) => new BotDirectory(orm.em) },
  ];
}
