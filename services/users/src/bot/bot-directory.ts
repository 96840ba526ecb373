import type { EntityManager } from '@mikro-orm/postgresql';
import { BotInactiveError, BotNotFoundError } from './bot.errors.js';
import { BotFeatureFlag } from './bot-feature-flag.entity.js';
import { BotSettingValue } from './bot-setting-value.entity.js';
import { RegisteredBot } from './registered-bot.entity.js';

/** A bot as the rest of the users service sees it: never its tokens. */
export interface BotProfile {
  readonly botId: string;
  readonly name: string;
  readonly ownerTelegramUserId: number;
  readonly active: boolean;
  /** IANA zone of the bot's day, 'UTC' unless set. */
  readonly timezone: string;
  /** Current setting values, parsed (int → number, bool → boolean, json → value, string → string). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Flags set at least once; a missing flag is off. */
  readonly flags: Readonly<Record<string, boolean>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Looks bots up in the registry's read models (kept in the same transaction as the bots' events). */
export class BotDirectory {
  constructor(private readonly em: EntityManager) {}

  /** From the read models; null for an unknown bot. Pass the caller's transaction `em` to read inside it. */
  async find(botId: string, options: { em?: EntityManager } = {}): Promise<BotProfile | null> {
    if (!UUID.test(botId)) return null;
    const em = options.em ?? this.em.fork();
    const bot = await em.findOne(RegisteredBot, { botId }, { disableIdentityMap: true });
    if (!bot) return null;
    // One after the other: inside a transaction both would queue on the same connection anyway.
    const flags = await em.find(BotFeatureFlag, { botId }, { disableIdentityMap: true });
    const settings = await em.find(BotSettingValue, { botId }, { disableIdentityMap: true });
    return {
      botId: bot.botId,
      name: bot.name,
      ownerTelegramUserId: Number(bot.ownerTelegramUserId),
      active: bot.active,
      timezone: bot.timezone,
      settings: Object.fromEntries(settings.map((s) => [s.key, JSON.parse(s.valueJson) as unknown])),
      flags: Object.fromEntries(flags.map((f) => [f.flag, f.enabled])),
    };
  }

  /** The bot if it is registered and active; throws BotNotFoundError (USERS.BOT_NOT_FOUND) or BotInactiveError (USERS.BOT_INACTIVE). */
  async requireActive(botId: string, options: { em?: EntityManager } = {}): Promise<BotProfile> {
    const bot = await this.find(botId, options);
    if (!bot) throw new BotNotFoundError(botId);
    if (!bot.active) throw new BotInactiveError(botId);
    return bot;
  }
}
