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
import { nextLevelAfter, type LevelThreshold } from '../settings/levels.js';
import { Clock } from '../shared/clock.js';
import { ActivityStatsQuery, activityStatsJson, type ActivityStats } from '../stats/activity-stats.query.js';
import { isTimeZone, localDateOf } from '../shared/local-day.js';

export interface Profile {
  readonly xp: number;
  readonly level: number;
  readonly nextLevel: LevelThreshold | null;
  /** Earned badges with their catalogue entry, oldest first. */
  readonly badges: readonly { readonly badge: BadgeDefinition; readonly awardedAt: Date }[];
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
    private readonly stats: ActivityStatsQuery,
  ) {}

  async of(botId: string, telegramUserId: string, timeZone?: string): Promise<Profile> {
    const em = this.orm.em.fork();
    const settings = await this.settings.of(botId);
    const zone = timeZone ?? settings.timeZone;
    if (!isTimeZone(zone)) throw new InvalidTimeZoneError(zone);
    const scope = { kind: 'bot', botId } as const;
    const row = await em.findOne(Membership, { scope: scopeKey(scope), telegramUserId });
    const earned = await em.find(MemberBadge, { botId, telegramUserId }, { orderBy: { awardedAt: 'asc', badgeKey: 'asc' } });
    const catalogue = new Map(settings.badges.map((badge) => [badge.key, badge]));
    const xp = Number(row?.xp ?? 0);
    const level = row?.level ?? 1;
    const streak = streakOn(
      { current: row?.currentStreak ?? 0, longest: row?.longestStreak ?? 0, lastDay: row?.lastActiveDay ?? null },
      localDateOf(this.clock.now(), zone),
    );
    return {
      xp,
      level,
      nextLevel: nextLevelAfter(settings.levels, level),
      badges: earned.flatMap((b) => {
        const badge = catalogue.get(b.badgeKey);
        return badge ? [{ badge, awardedAt: b.awardedAt }] : [];
      }),
      streak,
      rank: xp > 0 ? await this.leaderboard.rank(scope, xp) : null,
      stats: await this.stats.of(botId, telegramUserId),
    };
  }
}

export const profileJson = (profile: Profile): GetProfileReplyJson => ({
  totalXp: String(profile.xp),
  level: profile.level,
  ...(profile.nextLevel ? { nextLevel: levelsJson([profile.nextLevel])[0] } : {}),
  badges: profile.badges.map((b) => ({ key: b.badge.key, awardedAt: b.awardedAt.toISOString() })),
  streak: streakJson(profile.streak),
  ...(profile.rank !== null ? { rank: String(profile.rank) } : {}),
  stats: activityStatsJson(profile.stats),
});
