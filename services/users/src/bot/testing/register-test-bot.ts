import type { PostgresEventStore } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes, randomInt } from 'node:crypto';
import { BotRegistry } from '../bot-registry.js';
import { BotTokenCipher } from '../bot-token-cipher.js';

export interface TestBotOptions {
  readonly name?: string;
  readonly ownerTelegramUserId?: number;
  /** A BotFather-shaped token; a random one (random Telegram bot id) when absent. */
  readonly token?: string;
  readonly timezone?: string;
  /** Settings to write after registration, key → value (types inferred: number → int, boolean → bool, string → string, else json). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Flags to switch on or off after registration. */
  readonly flags?: Readonly<Record<string, boolean>>;
  /** The service's cipher; the development key (what the users service uses without BOT_TOKEN_KEYS) when absent. */
  readonly cipher?: BotTokenCipher;
}

/** A random token of a random Telegram bot, shaped as BotFather gives them. */
export function randomTestBotToken(): string {
  return `${randomInt(100_000_000, 9_999_999_999)}:${randomBytes(27).toString('base64url')}`;
}

/**
 * Registers a bot through the real RegisterBot command (events, read models, sealed token), as the
 * operator, for tests of other slices. `em` is the service's root entity manager (e.g. `orm.em`).
 */
export async function registerTestBot(
  store: PostgresEventStore,
  em: EntityManager,
  options: TestBotOptions = {},
): Promise<{ botId: string; apiToken: string; token: string }> {
  const registry = new BotRegistry(store, em, options.cipher ?? BotTokenCipher.forDevelopment());
  const token = options.token ?? randomTestBotToken();
  const { botId, apiToken } = await registry.register({
    name: options.name ?? 'Test bot',
    token,
    ownerTelegramUserId: options.ownerTelegramUserId ?? 1_000_001,
    ...(options.timezone ? { timezone: options.timezone } : {}),
  });
  for (const [key, value] of Object.entries(options.settings ?? {})) {
    const type =
      typeof value === 'number' && Number.isSafeInteger(value) ? 'int' : typeof value === 'boolean' ? 'bool' : typeof value === 'string' ? 'string' : 'json';
    await registry.setSetting(botId, { key, type, valueJson: JSON.stringify(value), description: `test setting ${key}` }, 'operator');
  }
  for (const [flag, enabled] of Object.entries(options.flags ?? {})) await registry.setFeatureFlag(botId, flag, enabled, 'operator');
  return { botId, apiToken, token };
}
