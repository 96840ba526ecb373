import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { scopeKey } from '../member/member.decider.js';
import type { GroupedBot } from './bot-group-directory.js';

export interface GroupBoardEntry {
  readonly rank: number;
  readonly telegramUserId: string;
  readonly xp: number;
}

/**
 * A member's XP in a bot group is the sum of their own XP in the group's bots (ADR 0018): derived when asked
 * from the memberships read model, so a bot joining brings its members' XP and a bot leaving takes it
 * away, and nothing is re-keyed or copied.
 */
@Injectable()
export class GroupTotals {
  constructor(private readonly orm: MikroORM) {}

  async xpOf(bots: readonly GroupedBot[], telegramUserId: string): Promise<number> {
    const [row] = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ xp: string | null }[]>('SELECT sum(xp) AS xp FROM gamification.memberships WHERE scope IN (?) AND telegram_user_id = ?', [
        scopesOf(bots),
        telegramUserId,
      ]);
    return Number(row?.xp ?? 0);
  }

  /** The group's top `limit` by summed XP (ties share a rank), and how many members have XP in it. */
  async board(bots: readonly GroupedBot[], limit: number): Promise<{ top: GroupBoardEntry[]; members: number }> {
    const connection = this.orm.em.fork().getConnection();
    const scopes = scopesOf(bots);
    const top = await connection.execute<{ telegram_user_id: string; xp: string; rank: string }[]>(
      `SELECT telegram_user_id, xp, rank() OVER (ORDER BY xp DESC) AS rank FROM (
         SELECT telegram_user_id, sum(xp) AS xp FROM gamification.memberships WHERE scope IN (?) GROUP BY telegram_user_id HAVING sum(xp) > 0
       ) totals ORDER BY xp DESC, telegram_user_id LIMIT ?`,
      [scopes, limit],
    );
    const [count] = await connection.execute<{ n: string }[]>(
      'SELECT count(DISTINCT telegram_user_id) AS n FROM gamification.memberships WHERE scope IN (?) AND xp > 0',
      [scopes],
    );
    return {
      top: top.map((row) => ({ rank: Number(row.rank), telegramUserId: String(row.telegram_user_id), xp: Number(row.xp) })),
      members: Number(count?.n ?? 0),
    };
  }
}

const scopesOf = (bots: readonly GroupedBot[]): string[] => bots.map((bot) => scopeKey({ kind: 'bot', botId: bot.botId }));
