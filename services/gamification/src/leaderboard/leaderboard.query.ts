import type { GetLeaderboardReplyJson, LeaderboardEntryJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import type { MemberScope } from '../member/member.decider.js';
import { BotSettingsDirectory } from '../settings/bot-settings-directory.js';
import { Clock } from '../shared/clock.js';
import { periodStartOf, type BoardPeriodKind } from '../shared/local-day.js';
import { LeaderboardIndex } from './leaderboard-index.js';
import type { RankedMember } from './rank-index.js';

/** A board entry: the member and their rank. */
export interface BoardEntry {
  readonly rank: number;
  readonly telegramUserId: string;
  readonly xp: number;
  readonly level: number;
  /** On a board by an activity's score: the best or total score it orders by. */
  readonly score?: number;
}

export interface Board {
  readonly top: readonly BoardEntry[];
  /** The member's place with the neighbours around it, null when they have no XP yet. */
  readonly me: { readonly rank: number; readonly xp: number; readonly score?: number; readonly around: readonly BoardEntry[] } | null;
  readonly members: number;
  /** A period board's kind and first local date in the bot's time zone; absent for all time. */
  readonly period?: { readonly kind: BoardPeriodKind; readonly start: string };
}

const entryOf = (member: RankedMember): BoardEntry => ({
  rank: member.rank,
  telegramUserId: String(member.telegramUserId),
  xp: member.xp,
  level: member.level,
});

/** The entries of a top N the index answered again unchanged (`RankIndex.top`) are not built again either. */
const entriesOfTop = new WeakMap<readonly RankedMember[], readonly BoardEntry[]>();

function topEntries(top: readonly RankedMember[]): readonly BoardEntry[] {
  let entries = entriesOfTop.get(top);
  if (!entries) {
    entries = top.map(entryOf);
    entriesOfTop.set(top, entries);
  }
  return entries;
}

/**
 * A bot's XP leaderboard: the top N, and a member's rank (1 + the members with more XP, so ties share
 * a rank) with their neighbours, in board order (more XP first, then the lower Telegram id). Answered
 * from this process's in-memory index of the memberships projection (ADR 0015), not by counting rows.
 */
@Injectable()
export class LeaderboardQuery {
  constructor(
    private readonly index: LeaderboardIndex,
    private readonly settings: BotSettingsDirectory,
    private readonly clock: Clock,
  ) {}

  /** The rank of a member with `xp` XP (at least 1) on the board of `scope`. */
  async rank(scope: MemberScope, xp: number): Promise<number> {
    await this.index.ready();
    return this.index.board(scope).rankOf(xp);
  }

  /** How many members of `scope` are on its board (have XP). */
  async members(scope: MemberScope): Promise<number> {
    await this.index.ready();
    return this.index.board(scope).size;
  }

  /**
   * The board of all time, or with `period` of the bot's current week (from its Monday 00:00) or month
   * (from its 1st) in the bot's time zone: XP earned before the period started is not on it.
   */
  async board(scope: MemberScope, options: { limit: number; telegramUserId?: string; neighbours?: number; period?: BoardPeriodKind }): Promise<Board> {
    await this.index.ready();
    const period = options.period ? await this.periodOf(scope.botId, options.period) : undefined;
    const board = period ? this.index.periodBoard(scope, period.kind, period.start) : this.index.board(scope);
    const mine = options.telegramUserId === undefined ? undefined : board.around(Number(options.telegramUserId), options.neighbours ?? 0);
    return {
      top: topEntries(board.top(options.limit)),
      me: mine ? { rank: mine.me.rank, xp: mine.me.xp, around: mine.around.map(entryOf) } : null,
      members: board.size,
      ...(period ? { period } : {}),
    };
  }

  /** The bot's current week (from its Monday) or month (from its 1st) in its time zone, by the service's clock. */
  async periodOf(botId: string, kind: BoardPeriodKind): Promise<{ kind: BoardPeriodKind; start: string }> {
    const { timeZone } = await this.settings.of(botId);
    return { kind, start: periodStartOf(kind, this.clock.now(), timeZone) };
  }
}

export const entryJson = (entry: BoardEntry): LeaderboardEntryJson => ({
  rank: String(entry.rank),
  telegramUserId: entry.telegramUserId,
  totalXp: String(entry.xp),
  level: entry.level,
  ...(entry.score === undefined ? {} : { score: String(entry.score) }),
});

export const boardJson = (board: Board): GetLeaderboardReplyJson => ({
  top: board.top.map(entryJson),
  ...(board.me
    ? {
        me: {
          rank: String(board.me.rank),
          totalXp: String(board.me.xp),
          ...(board.me.score === undefined ? {} : { score: String(board.me.score) }),
          around: board.me.around.map(entryJson),
        },
      }
    : {}),
  members: String(board.members),
  ...(board.period ? { periodStart: board.period.start } : {}),
});
