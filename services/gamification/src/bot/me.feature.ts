import type { BotFeatureRouter, FeatureContext, Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { LeaderboardQuery } from '../leaderboard/leaderboard.query.js';
import { ProfileQuery } from '../profile/profile.query.js';
import { localDateOf } from '../shared/local-day.js';

/** The badge's name in the reader's language, else English, else any. */
export const badgeNameIn = (names: Readonly<Record<string, string>>, language: string): string => names[language] ?? names.en ?? Object.values(names)[0] ?? '';

/**
 * `/me`: the member's level and XP, what the next level needs, their badges, their streak as it stands
 * today in the bot's time zone, their activities (how many, the last one's local date, the best score) and
 * their rank in this bot. In a bot group, XP, level and badges are the
 * group's (ADR 0018), each badge with the bot it was earned in, and the bot's own XP beside them.
 */
@Injectable()
export class MeFeature {
  constructor(
    private readonly profiles: ProfileQuery,
    private readonly leaderboard: LeaderboardQuery,
  ) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    return router.command('me', { description: { en: translate('en', 'command-me'), ru: translate('ru', 'command-me') } }, (ctx) => this.show(ctx));
  }

  private async show(ctx: FeatureContext): Promise<void> {
    const profile = await this.profiles.of(ctx.botId, ctx.telegramUserId, ctx.timeZone);
    const lines = [ctx.t('me-title', { name: ctx.member.firstName ?? '' }), ctx.t('me-level', { level: profile.level, xp: profile.xp })];
    if (profile.group) lines.push(ctx.t('me-group-xp', { bots: profile.group.bots.length, xp: profile.botXp }));
    lines.push(
      profile.nextLevel
        ? ctx.t('me-next', { next: profile.nextLevel.level, missing: profile.nextLevel.minXp - profile.xp, threshold: profile.nextLevel.minXp })
        : ctx.t('me-top-level'),
    );
    lines.push(
      profile.badges.length
        ? ctx.t('me-badges', {
            badges: profile.badges
              .map(({ badge, earnedIn }) => {
                const name = `${badge.icon} ${badgeNameIn(badge.names, ctx.language)}`;
                return earnedIn.botId !== ctx.botId && earnedIn.name ? ctx.t('me-badge-earned-in', { badge: name, bot: earnedIn.name }) : name;
              })
              .join(', '),
          })
        : ctx.t('me-no-badges'),
    );
    lines.push(ctx.t('me-streak', { current: profile.streak.current, longest: profile.streak.longest }));
    const { stats } = profile;
    if (stats.lastActivityAt) {
      const last = localDateOf(stats.lastActivityAt, ctx.timeZone);
      lines.push(ctx.t('me-activities', { total: stats.totalActivities, last }));
      if (stats.bestScore !== null) lines.push(ctx.t('me-best-score', { best: stats.bestScore }));
    }
    if (profile.rank === null) lines.push(ctx.t('me-unranked'));
    else {
      const members = await this.leaderboard.members({ kind: 'bot', botId: ctx.botId });
      lines.push(ctx.t('me-rank', { rank: profile.rank, members }));
    }
    ctx.reply(lines.join('\n'));
  }
}
