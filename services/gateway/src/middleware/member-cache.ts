import type { MemberViewJson } from '@botplatform/contracts';

/** What the identity middleware last told the users service about a Telegram user. */
export interface MemberProfile {
  readonly username?: string | undefined;
  readonly firstName: string;
  readonly lastName?: string | undefined;
  readonly languageCode?: string | undefined;
  readonly isPremium: boolean;
}

export interface MemberCacheOptions {
  /** How long a member answers from memory (default 60 s). Events invalidate sooner. */
  readonly ttlMs?: number;
  /** Entries kept at most; the oldest written go first (default 100 000). */
  readonly maxEntries?: number;
  /** Milliseconds clock, for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly telegramUserId: string;
  readonly profile: string;
  readonly member: MemberViewJson;
  readonly expiresAt: number;
}

/**
 * Members recently registered through the identity middleware, per (bot, Telegram user), with the
 * profile that was sent. A hit needs the same profile: a user who changed their name or language is
 * registered again at once, so the users service sees the change with its first message. Shared by every
 * bot of a gateway; kept fresh by {@link memberCacheConsumer} and by features that change a member.
 */
export class MemberCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemberCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** The cached member, if it is fresh and was registered with exactly this profile. */
  get(botId: string, telegramUserId: string | number, profile: MemberProfile): MemberViewJson | undefined {
    const key = keyOf(botId, telegramUserId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.profile === profileKey(profile) ? entry.member : undefined;
  }

  /** Remembers the member the users service returned for this profile. */
  set(botId: string, telegramUserId: string | number, profile: MemberProfile, member: MemberViewJson): void {
    const key = keyOf(botId, telegramUserId);
    // Re-inserting moves the key to the end, so the first key is always the oldest written.
    this.entries.delete(key);
    this.entries.set(key, { telegramUserId: String(telegramUserId), profile: profileKey(profile), member, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets one membership: its next update asks the users service again. */
  invalidate(botId: string, telegramUserId: string | number): void {
    this.entries.delete(keyOf(botId, telegramUserId));
  }

  /**
   * Forgets a Telegram user in every bot: the identity (names, username, premium) is shared by all their
   * memberships. Rare (profile changes), so a scan is cheaper than keeping a second index.
   */
  invalidateUser(telegramUserId: string | number): void {
    const id = String(telegramUserId);
    for (const [key, entry] of this.entries) if (entry.telegramUserId === id) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(botId: string, telegramUserId: string | number): string {
  return `${botId}:${telegramUserId}`;
}

function profileKey(profile: MemberProfile): string {
  return JSON.stringify([profile.username ?? null, profile.firstName, profile.lastName ?? null, profile.languageCode ?? null, profile.isPremium]);
}
