import { runSql } from '@botplatform/event-store';
import { CoalescingBatcher } from '@botplatform/service-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { StorageAdapter } from 'grammy';
import type { GatewaySession } from '../bot/bot-context.js';

/** Sessions whose stored form this instance remembers, to skip writing back what did not change. */
const REMEMBERED_SESSIONS = 10_000;

/**
 * grammY session storage in the gateway's `gateway_sessions` table (entity `GatewaySessionRecord`). One
 * instance per hosted bot: the bot id is part of every row's key, so two bots talking to the same chat
 * never share a session.
 *
 * grammY writes the session back after every update, changed or not, and most updates change nothing
 * (a /help, a known user's message): the adapter remembers the JSON it last read or wrote per key and
 * skips a write of the same JSON, and an empty session is never stored. Reads always go to the table,
 * so a second gateway process (webhook replicas) sees what the first wrote; the reads of chats asked
 * while earlier reads are in flight go as one statement (a burst of updates reads its sessions in a
 * few round trips, a lone update's read goes at once).
 */
export class MikroOrmSessionStorage implements StorageAdapter<GatewaySession> {
  private readonly table: string;
  private readonly remembered = new Map<string, string>();
  private readonly reads: CoalescingBatcher<string, GatewaySession>;

  constructor(
    private readonly orm: MikroORM,
    readonly botId: string,
  ) {
    this.table = `"${orm.config.get('schema')}".gateway_sessions`;
    this.reads = new CoalescingBatcher(async (keys) => {
      const rows = await runSql<{ key: string; value: GatewaySession }>(
        this.orm.em.fork(),
        `SELECT key, value FROM ${this.table} WHERE bot_id = $1 AND key = ANY($2::text[])`,
        [this.botId, keys],
        { preparedAs: `gateway_session_reads_${this.table}` },
      );
      return new Map(rows.map((row) => [row.key, row.value]));
    });
  }

  async read(key: string): Promise<GatewaySession | undefined> {
    const value = await this.reads.request(key);
    this.remember(key, value ? JSON.stringify(value) : EMPTY);
    return value;
  }

  async write(key: string, value: GatewaySession): Promise<void> {
    const json = JSON.stringify(value);
    if (this.remembered.get(key) === json || (json === EMPTY && !this.remembered.has(key))) return;
    await runSql(
      this.orm.em.fork(),
      `INSERT INTO ${this.table} (bot_id, key, value, updated_at) VALUES ($1, $2, $3::jsonb, now())
       ON CONFLICT (bot_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [this.botId, key, json],
      { preparedAs: `gateway_session_write_${this.table}` },
    );
    this.remember(key, json);
  }

  async delete(key: string): Promise<void> {
    await runSql(this.orm.em.fork(), `DELETE FROM ${this.table} WHERE bot_id = $1 AND key = $2`, [this.botId, key]);
    this.remember(key, EMPTY);
  }

  private remember(key: string, json: string): void {
    this.remembered.delete(key);
    this.remembered.set(key, json);
    if (this.remembered.size > REMEMBERED_SESSIONS) this.remembered.delete(this.remembered.keys().next().value!);
  }
}

const EMPTY = '{}';
