import type { BotFeatureRouter, FeatureContext, Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { LeaderboardQuery } from '../leaderboard/leaderboard.query.js';

/** How many members /top lists. */
export const TOP_SIZE = 10;

/**
 * `/top`: this bot's ten members with the most XP (ties share a rank) and the reader's own rank. Members
 * are shown by rank, XP and level: their names are the users service's, which this round does not ask.
 */
@Injectable()
export class TopFeature {
  constructor(private readonly leaderboard: LeaderboardQuery) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    return router.command('top', { description: { en: translate('en', 'command-top'), ru: translate('ru', 'command-top') } }, (ctx) => this.show(ctx));
  }

  private async show(ctx: FeatureContext): Promise<void> {
    const board = await this.leaderboard.board({ kind: 'bot', botId: ctx.botId }, { limit: TOP_SIZE, telegramUserId: ctx.telegramUserId });
    if (board.top.length === 0) {
      ctx.reply(ctx.t('top-empty'));
      return;
    }
    const lines = [ctx.t('top-title', { count: board.top.length })];
    for (const entry of board.top) {
      const key = entry.telegramUserId === ctx.telegramUserId ? 'top-entry-you' : 'top-entry';
      lines.push(ctx.t(key, { rank: entry.rank, xp: entry.xp, level: entry.level }));
    }
    lines.push('');
    lines.push(board.me ? ctx.t('top-you', { rank: board.me.rank, members: board.members, xp: board.me.xp }) : ctx.t('top-you-unranked'));
    ctx.reply(lines.join('\n'));
  }
}
