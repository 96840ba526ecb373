/**
 * How many times each bot's profile was changed in this process (counted by the bots projection, in
 * the change's transaction). `BotDirectory.recentlyActive` keeps a profile only while its bot's count
 * is the one it read under, so a change made here is not answered from a profile kept before it; a
 * change made by another process is seen once the kept profile is too old (`RECENT_PROFILE_MS`).
 */
const counts = new Map<string, number>();

export const botProfileChanges = {
  count(botId: string): void {
    counts.set(botId, (counts.get(botId) ?? 0) + 1);
  },
  of(botId: string): number {
    return counts.get(botId) ?? 0;
  },
};
