import type { EntityManager } from '@mikro-orm/postgresql';
import { BotInactiveError, BotNotFoundError } from './bot.errors.js';
import { runSql } from '@botplatform/event-store';
import { botProfileChanges } from './bot-profile-changes.js';

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

interface BotProfileRow {
  bot_id: string;
  name: string;
  owner: string;
  active: boolean;
  timezone: string;
  flags: Record<string, boolean>;
  settings: Record<string, string>;
}

/**
 * How long `recentlyActive` answers from a profile it read: the bound on how late a change made by
 * another process (another replica of the users service) is seen by registrations here.
 */
export const RECENT_PROFILE_MS = 1_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Looks bots up in the registry's read models (kept in the same transaction as the bots' events). */
export class BotDirectory {
  private readonly recent = new Map<string, { readonly profile: BotProfile; readonly readAt: number; readonly changes: number }>();
  /** A profile read under way per bot, shared by the registrations that ask meanwhile. */
  private readonly reading = new Map<string, { readonly changes: number; readonly profile: Promise<BotProfile | null> }>();

  constructor(
    private readonly em: EntityManager,
    private readonly now: () => number = Date.now,
  ) {}

  /** From the read models; null for an unknown bot. Pass the caller's transaction `em` to read inside it. */
  async find(botId: string, options: { em?: EntityManager } = {}): Promise<BotProfile | null> {
    if (!UUID.test(botId)) return null;
    const em = options.em ?? this.em.fork();
    // One statement: the gateway asks for the bot on every new user, so three round trips showed up.
    const schema = em.config.get('schema');
    const [row] = await runSql<BotProfileRow>(
      em,
      `SELECT b.bot_id, b.name, b.owner_telegram_user_id::text AS owner, b.active, b.timezone,
         (SELECT coalesce(json_object_agg(f.flag, f.enabled), '{}') FROM "${schema}".bot_feature_flags f WHERE f.bot_id = b.bot_id) AS flags,
         (SELECT coalesce(json_object_agg(s.key, s.value_json), '{}') FROM "${schema}".bot_settings s WHERE s.bot_id = b.bot_id) AS settings
       FROM "${schema}".bots b WHERE b.bot_id = $1`,
      [botId],
      { preparedAs: `users_bot_profile_${schema}` },
    );
    if (!row) return null;
    return {
      botId: row.bot_id,
      name: row.name,
      ownerTelegramUserId: Number(row.owner),
      active: row.active,
      timezone: row.timezone,
      settings: Object.fromEntries(Object.entries(row.settings).map(([key, json]) => [key, JSON.parse(json) as unknown])),
      flags: row.flags,
    };
  }

  async requireActive(botId: string, options: { em?: EntityManager } = {}): Promise<BotProfile> {
    return activeOrThrow(botId, await this.find(botId, options));
  }

  /**
   * `requireActive` for the hot path (a new member's registration, on every first `/start`): answers
   * from a profile read at most `RECENT_PROFILE_MS` ago, unless the bot was changed in this process
   * since. A deactivation or a new owner made through another process (or committing here while the
   * profile was read) is seen at most that late.
   *
   * Registrations that ask while a read is under way (a burst of first contacts as the kept profile
   * expires) share that read, when no change was made here since it began.
   */
  async recentlyActive(botId: string): Promise<BotProfile> {
    const changes = botProfileChanges.of(botId);
    const kept = this.recent.get(botId);
    if (kept && kept.changes === changes && this.now() - kept.readAt < RECENT_PROFILE_MS) return activeOrThrow(botId, kept.profile);
    const underWay = this.reading.get(botId);
    if (underWay && underWay.changes === changes) return activeOrThrow(botId, await underWay.profile);
    const readAt = this.now();
    const reading = { changes, profile: this.find(botId) };
    this.reading.set(botId, reading);
    let profile: BotProfile | null;
    try {
      profile = await reading.profile;
    } finally {
      if (this.reading.get(botId) === reading) this.reading.delete(botId);
    }
    // A change that began while reading may not be in what was read: not kept then.
    if (profile && botProfileChanges.of(botId) === changes) this.recent.set(botId, { profile, readAt, changes });
    else this.recent.delete(botId);
    return activeOrThrow(botId, profile);
  }
}

function activeOrThrow(botId: string, bot: BotProfile | null): BotProfile {
  if (!bot) throw new BotNotFoundError(botId);
  if (!bot.active) throw new BotInactiveError(botId);
  return bot;
}
