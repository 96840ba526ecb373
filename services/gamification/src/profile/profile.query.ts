import type { GetProfileReplyJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { LeaderboardQuery } from '../leaderboard/leaderboard.query.js';
import { scopeKey, streakOn, type Streak } from '../member/member.decider.js';
import { MemberBadge, Membership } from '../member/membership.entity.js';
import { streakJson } from '../member/member.use-case.js';
import { BotSettingsDirectory } from '../settings/bot-settings-directory.js';
import type { BadgeDefinition } from '../settings/bot-settings.decider.js';
import { InvalidTimeZoneError } from '../settings/bot-settings.errors.js';
import { levelsJson } from '../settings/bot-settings.use-case.js';
import { levelFor, nextLevelAfter, type LevelThreshold } from '../settings/levels.js';
import { BotGroupDirectory, type GroupedBot } from '../bot-group/bot-group-directory.js';
import { GroupTotals } from '../bot-group/group-totals.js';
import { Clock } from '../shared/clock.js';
import { ActivityStatsQuery, activityStatsJson, type ActivityStats } from '../stats/activity-stats.query.js';
import { isTimeZone, localDateOf } from '../shared/local-day.js';

export interface Profile {
  /** The member's XP: the sum over the bots of this bot's group (ADR 0018), else this bot's own. */
  readonly xp: number;
  /**
   * Alone, the bot's own level; in a group, the group's stored level (raised once by the award that crossed
   * its threshold, member/group-level.decider.ts) capped by the summed XP's level under this bot's
   * thresholds (a bot that left the group took its XP), or that level while none is stored.
   */
  readonly level: number;
  /** This bot's own XP (its board and rank). */
  readonly botXp: number;
  /** The bot's group (its bots with their names), null when it is in none. */
  readonly group: { readonly groupId: string; readonly bots: readonly GroupedBot[] } | null;
  readonly nextLevel: LevelThreshold | null;
  /**
   * Earned badges with their catalogue entry (the earning bot's), oldest first: in a group, every bot's of
   * the group, each once, with the bot it was earned in.
   */
  readonly badges: readonly {
    readonly badge: BadgeDefinition;
    readonly awardedAt: Date;
    /** The bot it was earned in (its name known in a group). */
    readonly earnedIn: GroupedBot;
    readonly score: number | null;
    readonly streak: number | null;
  }[];
  /** As it stands today in the time zone: 0 current after a missed day. */
  readonly streak: Streak;
  /** Null before the first XP. */
  readonly rank: number | null;
  /** Seed 003's stats_data: activities, best score, last activity, badges earned here. */
  readonly stats: ActivityStats;
}

/** A member's profile in a bot, from the read models: XP, level and the next one, badges, streak and rank. */
@Injectable()
export class ProfileQuery {
  constructor(
    private readonly orm: MikroORM,
    private readonly settings: BotSettingsDirectory,
    private readonly leaderboard: LeaderboardQuery,
    private readonly clock: Clock,
    private readonly groups: BotGroupDirectory,
    private readonly totals: GroupTotals,
    private readonly stats: ActivityStatsQuery,
  ) {}

  async of(botId: string, telegramUserId: string, timeZone?: string): Promise<Profile> {
    const em = this.orm.em.fork();
    const settings = await this.settings.of(botId);
    const zone = timeZone ?? settings.timeZone;
    if (!isTimeZone(zone)) throw new InvalidTimeZoneError(zone);
    const scope = { kind: 'bot', botId } as const;
    const row = await em.findOne(Membership, { scope: scopeKey(scope), telegramUserId });
    const group = await this.groups.groupOf(botId);
    const bots = group?.bots ?? [{ botId, name: '' }];
    const earned = await em.find(MemberBadge, { botId: { $in: bots.map((b) => b.botId) }, telegramUserId }, { orderBy: { awardedAt: 'asc', badgeKey: 'asc' } });
    const catalogues = new Map<string, Map<string, BadgeDefinition>>();
    for (const bot of bots) {
      const badges = bot.botId === botId ? settings.badges : (await this.settings.of(bot.botId)).badges;
      catalogues.set(bot.botId, new Map(badges.map((badge) => [badge.key, badge])));
    }
    const botXp = Number(row?.xp ?? 0);
    const xp = group ? await this.totals.xpOf(group.bots, telegramUserId) : botXp;
    // Alone, the bot's own level (which never goes down: levels.ts); in a group, the group's stored one
    // (announced once), capped by what the XP the group holds now reaches: a bot that left took its XP.
    const level = group ? await this.groupLevel(group.groupId, telegramUserId, Math.max(levelFor(settings.levels, xp), 1)) : (row?.level ?? 1);
    const seen = new Set<string>();
    const streak = streakOn(
      { current: row?.currentStreak ?? 0, longest: row?.longestStreak ?? 0, lastDay: row?.lastActiveDay ?? null },
      localDateOf(this.clock.now(), zone),
    );
    return {
      xp,
      level,
      botXp,
      group,
      nextLevel: nextLevelAfter(settings.levels, level),
      badges: earned.flatMap((b) => {
        const badge = catalogues.get(b.botId)?.get(b.badgeKey);
        // A badge key earned in two bots of the group before they were grouped counts once: the first.
        if (!badge || seen.has(b.badgeKey)) return [];
        seen.add(b.badgeKey);
        const earnedIn = group?.bots.find((g) => g.botId === b.botId) ?? { botId: b.botId, name: '' };
        return [{ badge, awardedAt: b.awardedAt, earnedIn, score: b.score === null ? null : Number(b.score), streak: b.streak }];
      }),
      streak,
      rank: botXp > 0 ? await this.leaderboard.rank(scope, botXp) : null,
      stats: await this.stats.of(botId, telegramUserId),
    };
  }

  /** The group's stored level, at most `reached` (the summed XP's now); `reached` while none is stored. */
  private async groupLevel(groupId: string, telegramUserId: string, reached: number): Promise<number> {
    const [row] = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ level: number }[]>('SELECT level FROM gamification.group_levels WHERE group_id = ? AND telegram_user_id = ?', [groupId, telegramUserId]);
    return row ? Math.min(row.level, reached) : reached;
  }
}

export const profileJson = (profile: Profile): GetProfileReplyJson => ({
  totalXp: String(profile.xp),
  level: profile.level,
  ...(profile.nextLevel ? { nextLevel: levelsJson([profile.nextLevel])[0] } : {}),
  badges: profile.badges.map((b) => ({
    key: b.badge.key,
    awardedAt: b.awardedAt.toISOString(),
    botId: b.earnedIn.botId,
    ...(b.earnedIn.name ? { botName: b.earnedIn.name } : {}),
    ...(b.score !== null ? { score: String(b.score) } : {}),
    ...(b.streak !== null ? { streak: b.streak } : {}),
  })),
  streak: streakJson(profile.streak),
  ...(profile.rank !== null ? { rank: String(profile.rank) } : {}),
  stats: activityStatsJson(profile.stats),
});
