import { runSql } from '@botplatform/event-store';
import { CoalescingBatcher } from '@botplatform/service-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Update } from 'grammy/types';

/** An update recorded and not yet handled, as the journal gives it back after a restart. */
export interface PendingUpdate {
  readonly update: Update;
  /** Attempts that failed on a dependency so far. */
  readonly attempts: number;
  readonly receivedAt: Date;
}

/** How an update's handling ended: `failed` when it was given up (its dependencies never came back). */
export type UpdateSettlement = { readonly status: 'handled' } | { readonly status: 'failed'; readonly reason: string };

/**
 * The gateway's durable record of incoming updates, one row per bot and `update_id`. An update is
 * recorded before Telegram is told it arrived, so the record is the only copy once it is confirmed:
 * it stays 'pending' until it is about to be answered ('answering') or its handling ends, and a
 * 'pending' one is handled again after a crash.
 *
 * Written through SQL: the insert must say which updates are new (a duplicate is not handled twice),
 * and the hot statements are prepared once per connection.
 */
export class IncomingUpdateJournal {
  private readonly table: string;
  /** Marks asked while earlier ones are in flight go as one statement (a burst's answers mark together). */
  private readonly marks: CoalescingBatcher<string, never>;

  constructor(private readonly orm: MikroORM) {
    this.table = `"${orm.config.get('schema')}".gateway_incoming_updates`;
    this.marks = new CoalescingBatcher(async (keys) => {
      const updates = keys.map((key) => key.split(' '));
      await runSql(
        this.orm.em.fork(),
        `UPDATE ${this.table} t SET status = 'answering', settled_at = now()
         FROM unnest($1::uuid[], $2::bigint[]) AS u(bot_id, update_id)
         WHERE t.bot_id = u.bot_id AND t.update_id = u.update_id AND t.status = 'pending'`,
        [updates.map(([botId]) => botId), updates.map(([, updateId]) => updateId)],
        { preparedAs: `${this.table}:mark-answering` },
      );
      return undefined;
    });
  }

  /** Records the updates not seen before and returns them, in `update_id` order; duplicates are left out. */
  async record(botId: string, updates: readonly Update[]): Promise<Update[]> {
    if (updates.length === 0) return [];
    const rows = await runSql<{ update_id: string }>(
      this.orm.em.fork(),
      `INSERT INTO ${this.table} (bot_id, update_id, body)
       SELECT $1, (u->>'update_id')::bigint, u FROM jsonb_array_elements($2::jsonb) AS u
       ON CONFLICT (bot_id, update_id) DO NOTHING
       RETURNING update_id::text`,
      [botId, JSON.stringify(updates)],
      { preparedAs: `${this.table}:record` },
    );
    const fresh = new Set(rows.map((row) => Number(row.update_id)));
    return updates.filter((update) => fresh.delete(update.update_id)).sort((a, b) => a.update_id - b.update_id);
  }

  /** The bot's updates still to handle, oldest first. */
  async pending(botId: string): Promise<PendingUpdate[]> {
    const rows = await runSql<{ body: Update | string; attempts: number; received_at: Date }>(
      this.orm.em.fork(),
      `SELECT body, attempts, received_at FROM ${this.table} WHERE bot_id = $1 AND status = 'pending' ORDER BY update_id`,
      [botId],
    );
    return rows.map((row) => ({
      update: typeof row.body === 'string' ? (JSON.parse(row.body) as Update) : row.body,
      attempts: row.attempts,
      receivedAt: new Date(row.received_at),
    }));
  }

  /**
   * Marks an update as being answered: its first call with an effect a member sees is about to leave,
   * so a restart does not handle it again (`pending` no longer returns it). A no-op once settled.
   */
  async markAnswering(botId: string, updateId: number): Promise<void> {
    await this.marks.request(`${botId} ${updateId}`);
  }

  /** Takes the mark back: nothing the update sent reached the member, so a restart handles it again. */
  async unmarkAnswering(botId: string, updateId: number): Promise<void> {
    await runSql(
      this.orm.em.fork(),
      `UPDATE ${this.table} SET status = 'pending', settled_at = NULL WHERE bot_id = $1 AND update_id = $2 AND status = 'answering'`,
      [botId, updateId],
      { preparedAs: `${this.table}:unmark-answering` },
    );
  }

  /** Ends an update's handling; a no-op when it was already settled. */
  async settle(botId: string, updateId: number, settlement: UpdateSettlement): Promise<void> {
    await runSql(
      this.orm.em.fork(),
      `UPDATE ${this.table} SET status = $3, last_error = COALESCE($4, last_error), settled_at = now()
       WHERE bot_id = $1 AND update_id = $2 AND status IN ('pending', 'answering')`,
      [botId, updateId, settlement.status, settlement.status === 'failed' ? settlement.reason.slice(0, 1_000) : null],
      { preparedAs: `${this.table}:settle` },
    );
  }

  /**
   * Ends the handling of updates already marked as being answered, in one statement. Only
   * bookkeeping: an update being answered is not handled again whether or not this lands.
   */
  async settleAnswered(botId: string, updateIds: readonly number[]): Promise<void> {
    if (updateIds.length === 0) return;
    await runSql(
      this.orm.em.fork(),
      `UPDATE ${this.table} SET status = 'handled' WHERE bot_id = $1 AND update_id = ANY($2::bigint[]) AND status = 'answering'`,
      [botId, updateIds],
      { preparedAs: `${this.table}:settle-answered` },
    );
  }

  /** Notes a failed attempt (for operators looking at a stuck update); the retry does not depend on it. */
  async noteFailedAttempt(botId: string, updateId: number, attempts: number, reason: string): Promise<void> {
    await runSql(this.orm.em.fork(), `UPDATE ${this.table} SET attempts = GREATEST(attempts, $3), last_error = $4 WHERE bot_id = $1 AND update_id = $2`, [
      botId,
      updateId,
      attempts,
      reason.slice(0, 1_000),
    ]);
  }

  /**
   * Deletes settled updates older than `before`. Telegram hands an unconfirmed update again for at
   * most 24 hours, so a settled row older than that no longer guards against a duplicate.
   */
  async prune(before: Date): Promise<number> {
    const rows = await runSql<{ n: number }>(
      this.orm.em.fork(),
      `WITH gone AS (DELETE FROM ${this.table} WHERE status <> 'pending' AND settled_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [before],
    );
    return rows[0]?.n ?? 0;
  }
}
