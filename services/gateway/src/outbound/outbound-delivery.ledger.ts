import { runSql } from '@botplatform/event-store';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { DeliveryFailureReason } from './outbound-delivery.events.js';

/** What Telegram made of a send (or why it was never made). */
export type SendOutcome =
  | { readonly kind: 'delivered'; readonly messageId: number; readonly attempts: number }
  | { readonly kind: 'failed'; readonly failure: DeliveryFailureReason; readonly description: string; readonly attempts: number };

export type DeliveryStatus = 'sending' | 'delivered' | 'failed';

/** One row of `gateway_outbound_deliveries`. */
export interface DeliveryRow {
  readonly requestId: string;
  readonly botId: string;
  readonly chatId: number;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly messageId: number | null;
  readonly failure: DeliveryFailureReason | null;
  readonly description: string | null;
}

interface RawRow {
  request_id: string;
  bot_id: string;
  chat_id: string;
  status: DeliveryStatus;
  attempts: number;
  message_id: string | null;
  failure: DeliveryFailureReason | null;
  description: string | null;
}

/** The request a delivery row is about. */
export interface DeliveryKey {
  readonly requestId: string;
  readonly botId: string;
  readonly chatId: number;
}

/**
 * The gateway's memory of each outbound request, the one thing that stops a second send: a request
 * is claimed in a transaction of its own, committed before Telegram is called, and settled as soon as
 * Telegram answers, so neither survives a rollback of the consumer's transaction.
 */
export class OutboundDeliveryLedger {
  private readonly table: string;

  constructor(private readonly orm: MikroORM) {
    this.table = `"${orm.config.get('schema')}".gateway_outbound_deliveries`;
  }

  async find(requestId: string, em: EntityManager = this.orm.em.fork()): Promise<DeliveryRow | undefined> {
    const [row] = await runSql<RawRow>(
      em,
      `SELECT request_id, bot_id, chat_id::text, status, attempts, message_id::text, failure, description
       FROM ${this.table} WHERE request_id = $1`,
      [requestId],
    );
    return row && toRow(row);
  }

  /** Marks the request as being sent, committed at once; false when it was already claimed. */
  async claim(key: DeliveryKey): Promise<boolean> {
    const rows = await runSql<{ request_id: string }>(
      this.orm.em.fork(),
      `INSERT INTO ${this.table} (request_id, bot_id, chat_id, status) VALUES ($1, $2, $3, 'sending')
       ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
      [key.requestId, key.botId, key.chatId],
    );
    return rows.length === 1;
  }

  /**
   * Writes the final status: on its own, committed at once, right after Telegram answered (no `em`), and
   * again inside the consumer's transaction with the outcome event (`em`), which also covers outcomes
   * decided without a send (bot unavailable, outcome unknown).
   */
  async settle(key: DeliveryKey, outcome: SendOutcome, em: EntityManager = this.orm.em.fork()): Promise<void> {
    await runSql(
      em,
      `INSERT INTO ${this.table} (request_id, bot_id, chat_id, status, attempts, message_id, failure, description)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (request_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
         message_id = excluded.message_id, failure = excluded.failure, description = excluded.description,
         updated_at = now()`,
      [
        key.requestId,
        key.botId,
        key.chatId,
        outcome.kind,
        outcome.attempts,
        outcome.kind === 'delivered' ? outcome.messageId : null,
        outcome.kind === 'failed' ? outcome.failure : null,
        outcome.kind === 'failed' ? outcome.description : null,
      ],
    );
  }
}

function toRow(row: RawRow): DeliveryRow {
  return {
    requestId: row.request_id,
    botId: row.bot_id,
    chatId: Number(row.chat_id),
    status: row.status,
    attempts: row.attempts,
    messageId: row.message_id === null ? null : Number(row.message_id),
    failure: row.failure,
    description: row.description,
  };
}

/** The outcome a settled row records; `undefined` while it is still being sent. */
export function outcomeOfRow(row: DeliveryRow): SendOutcome | undefined {
  if (row.status === 'delivered') return { kind: 'delivered', messageId: row.messageId ?? 0, attempts: row.attempts };
  if (row.status === 'failed') {
    return { kind: 'failed', failure: row.failure ?? 'gave_up', description: row.description ?? '', attempts: row.attempts };
  }
  return undefined;
}
