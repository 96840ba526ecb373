import type { BotFeatureRouter, FeatureContext, Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { BotGroupDirectory } from '../bot-group/bot-group-directory.js';
import { GroupTotals } from '../bot-group/group-totals.js';
import { ActivityBoardsQuery } from '../leaderboard/activity-boards.query.js';
import { LeaderboardQuery } from '../leaderboard/leaderboard.query.js';
import type { BoardPeriodKind } from '../shared/local-day.js';

/** How many members /top lists. */
export const TOP_SIZE = 10;
/** How many members /top lists for this week and this month, and by the best score. */
export const PERIOD_TOP_SIZE = 5;

/**
 * `/top`: this bot's ten members with the most XP (ties share a rank) and the reader's own rank, with the
 * group's board below when the bot is in a group; then, in a second message, the boards of the bot's
 * current week (from Monday 00:00) and month (from the 1st) in its time zone; then, once the bot has recorded a
 * scored activity, a third message with the top by best score of its most recently scored activity type
 * (the bot's default board by score: nothing to configure). Members are shown by rank, XP and level:
 * their names are the users service's, which this round does not ask.
 */
@Injectable()
export class TopFeature {
  constructor(
    private readonly leaderboard: LeaderboardQuery,
    private readonly groups: BotGroupDirectory,
    private readonly totals: GroupTotals,
    private readonly scores: ActivityBoardsQuery,
  ) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    return router.command('top', { description: { en: translate('en', 'command-top'), ru: translate('ru', 'command-top') } }, (ctx) => this.show(ctx));
  }

  private async show(ctx: FeatureContext): Promise<void> {
    const board = await this.leaderboard.board({ kind: 'bot', botId: ctx.botId }, { limit: TOP_SIZE, telegramUserId: ctx.telegramUserId });
    if (board.top.length === 0) {
      ctx.reply([ctx.t('top-empty'), ...(await this.groupBoard(ctx))].join('\n'));
      await this.scoreBoard(ctx);
      return;
    }
    const lines = [ctx.t('top-title', { count: board.top.length })];
    for (const entry of board.top) {
      const key = entry.telegramUserId === ctx.telegramUserId ? 'top-entry-you' : 'top-entry';
      lines.push(ctx.t(key, { rank: entry.rank, xp: entry.xp, level: entry.level }));
    }
    lines.push('');
    lines.push(board.me ? ctx.t('top-you', { rank: board.me.rank, members: board.members, xp: board.me.xp }) : ctx.t('top-you-unranked'));
    lines.push(...(await this.groupBoard(ctx)));
    ctx.reply(lines.join('\n'));
    const week = await this.periodBoard(ctx, 'week');
    const month = await this.periodBoard(ctx, 'month');
    ctx.reply([...week, '', ...month].join('\n'));
    await this.scoreBoard(ctx);
  }

  /** The top by best score of the bot's most recently scored activity type, and the reader's place; nothing before any score. */
  private async scoreBoard(ctx: FeatureContext): Promise<void> {
    const type = await this.scores.latestType(ctx.botId);
    if (type === null) return;
    const board = await this.scores.board({ botId: ctx.botId, activityType: type }, 'best', { limit: PERIOD_TOP_SIZE, telegramUserId: ctx.telegramUserId });
    const lines = [ctx.t('top-score-title', { type, count: board.top.length })];
    for (const entry of board.top) {
      const key = entry.telegramUserId === ctx.telegramUserId ? 'top-score-entry-you' : 'top-score-entry';
      lines.push(ctx.t(key, { rank: entry.rank, score: entry.score!, level: entry.level }));
    }
    lines.push(
      board.me ? ctx.t('top-score-you', { rank: board.me.rank, members: board.members, score: board.me.score! }) : ctx.t('top-score-unranked', { type }),
    );
    ctx.reply(lines.join('\n'));
  }

  /** The board of the bot's current week or month: its top, and the reader's rank in it. */
  private async periodBoard(ctx: FeatureContext, kind: BoardPeriodKind): Promise<string[]> {
    const board = await this.leaderboard.board({ kind: 'bot', botId: ctx.botId }, { limit: PERIOD_TOP_SIZE, telegramUserId: ctx.telegramUserId, period: kind });
    const start = board.period!.start;
    if (board.top.length === 0) return [ctx.t(`top-${kind}-empty`, { start })];
    const lines = [ctx.t(`top-${kind}-title`, { start, count: board.top.length })];
    for (const entry of board.top) {
      lines.push(ctx.t(entry.telegramUserId === ctx.telegramUserId ? 'top-entry-you' : 'top-entry', { rank: entry.rank, xp: entry.xp, level: entry.level }));
    }
    lines.push(board.me ? ctx.t('top-you', { rank: board.me.rank, members: board.members, xp: board.me.xp }) : ctx.t('top-period-unranked'));
    return lines;
  }

  /** The group board (summed XP over the group's bots, ADR 0018) under this bot's, when the bot is in a group. */
  private async groupBoard(ctx: FeatureContext): Promise<string[]> {
    const group = await this.groups.groupOf(ctx.botId);
    if (!group) return [];
    const board = await this.totals.board(group, TOP_SIZE);
    const lines = ['', ctx.t('top-group-title', { count: board.top.length, bots: group.bots.length })];
    for (const entry of board.top) {
      lines.push(ctx.t(entry.telegramUserId === ctx.telegramUserId ? 'top-group-entry-you' : 'top-group-entry', { rank: entry.rank, xp: entry.xp }));
    }
    return lines;
  }
}
