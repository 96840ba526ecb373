import type { AwardBadgeReplyJson, AwardReplyJson, RecordActivityReplyJson, StreakViewJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { BotSettingsDirectory } from '../settings/bot-settings-directory.js';
import { InvalidTimeZoneError, UnknownBadgeError } from '../settings/bot-settings.errors.js';
import { Clock } from '../shared/clock.js';
import { isTimeZone, localDateOf, periodStartOf } from '../shared/local-day.js';
import { MemberCommands } from './member-commands.js';
import { ActivityInFutureError } from './member.errors.js';
import type { LevelReached, Streak } from './member.decider.js';

/** How far ahead of this service's clock a caller's clock may be. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface MemberRef {
  readonly botId: string;
  readonly telegramUserId: number;
}

export const streakJson = (streak: Streak): StreakViewJson => ({
  current: streak.current,
  longest: streak.longest,
  ...(streak.lastDay ? { lastDay: streak.lastDay } : {}),
});

/** A member's XP, badges and active days: the bot's settings read, the command run on the member's locked stream. */
@Injectable()
export class MemberUseCase {
  constructor(
    private readonly commands: MemberCommands,
    private readonly settings: BotSettingsDirectory,
    private readonly clock: Clock,
  ) {}

  /**
   * XP once per source id, counted in the bot's current week and month (its calendar, in its time zone);
   * in a bot group, then the group's level checked against the XP summed over the group's bots.
   */
  async award(member: MemberRef, award: { amount: number; reason: string; sourceId: string }): Promise<AwardReplyJson> {
    const { levels, timeZone } = await this.settings.of(member.botId);
    const now = this.clock.now();
    const { state, newEvents } = await this.commands.handle(
      {
        type: 'AwardXp',
        ...member,
        ...award,
        levels,
        weekStart: periodStartOf('week', now, timeZone),
        monthStart: periodStartOf('month', now, timeZone),
        now: now.toISOString(),
      },
      now,
    );
    const reached = newEvents.find((event): event is typeof event & LevelReached => event.type === 'LevelReached');
    return {
      awarded: newEvents.length > 0,
      totalXp: String(state.xp),
      level: state.level,
      ...(reached ? { levelReached: { fromLevel: reached.data.from, toLevel: reached.data.to } } : {}),
      // After the award's commit, also for a repeated one (it completes a check a failure cut short).
      ...(await this.commands.checkGroupLevel(member, levels, now)),
    };
  }

  /** A badge once, with its metadata: the score given, the streak given or the member's current one. */
  async awardBadge(member: MemberRef, badgeKey: string, metadata: { score?: number; streak?: number } = {}): Promise<AwardBadgeReplyJson> {
    const { badges, timeZone } = await this.settings.of(member.botId);
    if (!badges.some((badge) => badge.key === badgeKey)) throw new UnknownBadgeError(badgeKey);
    const now = this.clock.now();
    const { state, newEvents } = await this.commands.handle(
      {
        type: 'AwardBadge',
        ...member,
        badgeKey,
        score: metadata.score ?? null,
        streak: metadata.streak ?? null,
        today: localDateOf(now, timeZone),
        now: now.toISOString(),
      },
      now,
    );
    const earned = state.badges.get(badgeKey)!;
    return {
      newBadge: newEvents.length > 0,
      awardedAt: earned.awardedAt,
      ...(earned.score !== null ? { score: String(earned.score) } : {}),
      ...(earned.streak !== null ? { streak: earned.streak } : {}),
    };
  }

  /** An activity at `occurredAt` (now by default), counted on its local date in `timeZone` (the bot's by default). */
  async recordActivity(member: MemberRef, options: { occurredAt?: Date; timeZone?: string }): Promise<RecordActivityReplyJson> {
    const timeZone = options.timeZone ?? (await this.settings.of(member.botId)).timeZone;
    if (!isTimeZone(timeZone)) throw new InvalidTimeZoneError(timeZone);
    const now = this.clock.now();
    if (options.occurredAt && options.occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new ActivityInFutureError(options.occurredAt.toISOString());
    const day = localDateOf(options.occurredAt ?? now, timeZone);
    const { state, newEvents } = await this.commands.handle({ type: 'RecordActivity', ...member, day, timeZone, now: now.toISOString() }, now);
    return { day, extended: newEvents.length > 0, streak: streakJson(state.streak) };
  }
}
