import { runSql } from '@botplatform/event-store';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { DeliveryFailureReason } from './outbound-delivery.events.js';
import type { OutboundButton, OutboundMessage } from './outbound-message.sender.js';

/** What Telegram made of a send (or why it was never made). */
export type SendOutcome =
  | { readonly kind: 'delivered'; readonly messageId: number; readonly attempts: number }
  | { readonly kind: 'failed'; readonly failure: DeliveryFailureReason; readonly description: string; readonly attempts: number };

export type DeliveryStatus = 'queued' | 'sending' | 'delivered' | 'failed';

/** The request a delivery row is about. */
export interface DeliveryKey {
  readonly requestId: string;
  readonly botId: string;
  readonly chatId: number;
}

/** A request as queued: the message, and the event that asked for it (for the outcome event's context). */
export interface QueuedRequest extends OutboundMessage {
  readonly correlationId: string;
  readonly causationId: string | null;
}

/** One row of `gateway_outbound_deliveries`. */
export interface DeliveryRow extends QueuedRequest {
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
  text: string | null;
  parse_mode: 'HTML' | 'MarkdownV2' | null;
  buttons: OutboundButton[][] | string | null;
  disable_notification: boolean;
  message_thread_id: number | null;
  paid_broadcast: boolean;
  photo: string | null;
  edit_message_id: string | null;
  correlation_id: string | null;
  causation_id: string | null;
}

/** The columns of a `DeliveryRow`, of the table aliased `t`. */
const COLUMNS = `t.request_id, t.bot_id, t.chat_id::text, t.status, t.attempts, t.message_id::text, t.failure, t.description,
  t.text, t.parse_mode, t.buttons, t.disable_notification, t.message_thread_id, t.paid_broadcast, t.photo, t.edit_message_id::text, t.correlation_id, t.causation_id`;

/**
 * A fork of the ORM's global entity manager, whoever calls. `orm.em.fork()` forks the entity manager of
 * the transaction the caller runs in, if any (MikroORM finds it in async-local storage), event
 * subscribers included: a transaction of ours started from there would fire that transaction's
 * after-commit subscribers again on every commit.
 */
export function detachedEntityManager(orm: MikroORM): EntityManager {
  return orm.em.fork({ disableContextResolution: true });
}

/**
 * The gateway's memory of each outbound request, and the queue its delivery worker works from. A row
 * goes 'queued' (in the consumer's transaction) → 'sending' (committed on its own as the request
 * leaves for Telegram) → 'delivered' / 'failed' (with the outcome event, in one transaction). Only a
 * row still 'queued' is marked 'sending', and only a row so marked is sent, so a request is sent at
 * most once, whatever crashes or redeliveries happen.
 */
export class OutboundDeliveryLedger {
  private readonly table: string;

  constructor(private readonly orm: MikroORM) {
    this.table = `"${orm.config.get('schema')}".gateway_outbound_deliveries`;
  }

  async find(requestId: string, em: EntityManager = detachedEntityManager(this.orm)): Promise<DeliveryRow | undefined> {
    const [row] = await runSql<RawRow>(em, `SELECT ${COLUMNS} FROM ${this.table} t WHERE request_id = $1`, [requestId]);
    return row && toRow(row);
  }

  /** Queues the requests not seen before, in their order, in the caller's transaction (`em`). */
  async enqueue(requests: readonly QueuedRequest[], em: EntityManager): Promise<void> {
    if (requests.length === 0) return;
    // One statement for the run; WITH ORDINALITY keeps the order the identity column numbers them in.
    await runSql(
      em,
      `INSERT INTO ${this.table} (request_id, bot_id, chat_id, status, text, parse_mode, buttons, disable_notification, message_thread_id,
         paid_broadcast, photo, edit_message_id, correlation_id, causation_id)
       SELECT (e.r->>'request_id')::uuid, (e.r->>'bot_id')::uuid, (e.r->>'chat_id')::bigint, 'queued', e.r->>'text', e.r->>'parse_mode',
         e.r->'buttons', (e.r->>'disable_notification')::boolean, (e.r->>'message_thread_id')::integer,
         (e.r->>'paid_broadcast')::boolean, e.r->>'photo', (e.r->>'edit_message_id')::bigint, e.r->>'correlation_id', e.r->>'causation_id'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(r, n)
       ORDER BY e.n
       ON CONFLICT (request_id) DO NOTHING`,
      [
        JSON.stringify(
          requests.map((r) => ({
            request_id: r.requestId,
            bot_id: r.botId,
            chat_id: String(r.chatId),
            text: r.text,
            parse_mode: r.parseMode ?? null,
            buttons: r.buttons,
            disable_notification: r.disableNotification,
            message_thread_id: r.messageThreadId ?? null,
            paid_broadcast: r.paidBroadcast ?? false,
            photo: r.photo ?? null,
            edit_message_id: r.editMessageId === undefined ? null : String(r.editMessageId),
            correlation_id: r.correlationId,
            causation_id: r.causationId,
          })),
        ),
      ],
    );
  }

  /**
   * Up to `limit` queued rows that head their chat's queue (no earlier row of the chat still queued or
   * being sent), oldest first, leaving out the bots in `skipBots` and the chats whose head is one of
   * `inFlight` (the worker's own, still waiting for their slot).
   */
  async findHeads(em: EntityManager, limit: number, skipBots: readonly string[], inFlight: readonly string[]): Promise<DeliveryRow[]> {
    const rows = await runSql<RawRow>(
      em,
      `WITH heads AS (
         SELECT DISTINCT ON (bot_id, chat_id) request_id, status FROM ${this.table}
         WHERE status IN ('queued', 'sending') ORDER BY bot_id, chat_id, seq
       )
       SELECT ${COLUMNS} FROM ${this.table} t JOIN heads h USING (request_id)
       WHERE h.status = 'queued' AND NOT (t.request_id = ANY($3::uuid[])) AND NOT (t.bot_id::text = ANY($2::text[]))
       ORDER BY t.seq LIMIT $1`,
      [limit, skipBots, inFlight],
    );
    return rows.map(toRow);
  }

  /**
   * Marks queued rows as being sent, committed on their own (one statement for all), as their requests
   * are about to leave: the ids of those that were still queued; any other must not be sent.
   */
  async markSendingAll(requestIds: readonly string[]): Promise<Set<string>> {
    const rows = await runSql<{ request_id: string }>(
      detachedEntityManager(this.orm),
      `UPDATE ${this.table} SET status = 'sending', claimed_at = now(), updated_at = now()
       WHERE request_id = ANY($1::uuid[]) AND status = 'queued' RETURNING request_id`,
      [requestIds],
    );
    return new Set(rows.map((row) => row.request_id));
  }

  /**
   * Writes the final status of the rows not yet settled, in one statement in the caller's transaction:
   * the ids of those settled now (a row settled before, by a record that committed before its
   * acknowledgement was lost, is left as it is).
   */
  async settleAll(em: EntityManager, settles: readonly { key: DeliveryKey; outcome: SendOutcome }[]): Promise<Set<string>> {
    if (!settles.length) return new Set();
    const rows = await runSql<{ request_id: string }>(
      em,
      `UPDATE ${this.table} t SET status = s.status, attempts = s.attempts, message_id = s.message_id, failure = s.failure,
              description = s.description, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::bigint[], $5::text[], $6::text[])
           AS s(request_id, status, attempts, message_id, failure, description)
        WHERE t.request_id = s.request_id AND t.status IN ('queued', 'sending')
       RETURNING t.request_id`,
      [
        settles.map((s) => s.key.requestId),
        settles.map((s) => s.outcome.kind),
        settles.map((s) => s.outcome.attempts),
        settles.map((s) => (s.outcome.kind === 'delivered' ? s.outcome.messageId : null)),
        settles.map((s) => (s.outcome.kind === 'failed' ? s.outcome.failure : null)),
        settles.map((s) => (s.outcome.kind === 'failed' ? s.outcome.description : null)),
      ],
    );
    return new Set(rows.map((row) => row.request_id));
  }

  /** Rows left 'sending' by a process that is gone, locked in the caller's transaction. */
  async lockAbandoned(em: EntityManager): Promise<DeliveryRow[]> {
    const rows = await runSql<RawRow>(em, `SELECT ${COLUMNS} FROM ${this.table} t WHERE status = 'sending' ORDER BY seq FOR UPDATE SKIP LOCKED`);
    return rows.map(toRow);
  }
}

function toRow(row: RawRow): DeliveryRow {
  const buttons = typeof row.buttons === 'string' ? (JSON.parse(row.buttons) as OutboundButton[][]) : (row.buttons ?? []);
  return {
    requestId: row.request_id,
    botId: row.bot_id,
    chatId: Number(row.chat_id),
    status: row.status,
    attempts: row.attempts,
    messageId: row.message_id === null ? null : Number(row.message_id),
    failure: row.failure,
    description: row.description,
    text: row.text ?? '',
    ...(row.parse_mode ? { parseMode: row.parse_mode } : {}),
    buttons,
    disableNotification: row.disable_notification,
    ...(row.message_thread_id !== null && row.message_thread_id !== undefined ? { messageThreadId: row.message_thread_id } : {}),
    ...(row.paid_broadcast ? { paidBroadcast: true } : {}),
    ...(row.photo ? { photo: row.photo } : {}),
    ...(row.edit_message_id ? { editMessageId: Number(row.edit_message_id) } : {}),
    correlationId: row.correlation_id ?? row.request_id,
    causationId: row.causation_id,
  };
}
