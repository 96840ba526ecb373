import type { AuditEntryJson, QueryAuditReplyJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidAuditCursorError, InvalidAuditLimitError } from './audit.errors.js';

/** A page of the audit log of one bot, optionally narrowed to one admin, target or action. */
export interface AuditQuery {
  readonly botId: string;
  /** "telegram:<id>", "api:<token id>" or "operator". */
  readonly admin?: string;
  /** "telegram:<id>", "flag:<name>", "setting:<key>" or "bot". */
  readonly target?: string;
  /** e.g. "member.blocked". */
  readonly action?: string;
  /** 1-100, 20 when absent. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

interface AuditRow {
  event_id: string;
  bot_id: string;
  admin: string;
  action: string;
  target: string;
  details_json: string;
  occurred_at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the audit log (audit_entries) newest first. Pages continue from an opaque cursor, the
 * (occurred_at, event_id) of the last entry shown, so entries written meanwhile never shift a page.
 */
export class AuditLog {
  constructor(private readonly em: EntityManager) {}

  /** One page; throws InvalidAuditLimitError (USERS.INVALID_AUDIT_LIMIT) or InvalidAuditCursorError (USERS.INVALID_CURSOR). */
  async query(query: AuditQuery, options: { em?: EntityManager } = {}): Promise<QueryAuditReplyJson> {
    const limit = query.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InvalidAuditLimitError(limit);
    const conditions = ['bot_id = $1'];
    const parameters: unknown[] = [query.botId];
    const add = (sql: (n: number) => string, ...values: unknown[]) => {
      conditions.push(sql(parameters.length + 1));
      parameters.push(...values);
    };
    if (query.admin !== undefined) add((n) => `admin = $${n}`, query.admin);
    if (query.target !== undefined) add((n) => `target = $${n}`, query.target);
    if (query.action !== undefined) add((n) => `action = $${n}`, query.action);
    if (query.cursor !== undefined) {
      const [occurredAt, eventId] = decodeCursor(query.cursor);
      add((n) => `(occurred_at, event_id) < ($${n}::timestamptz, $${n + 1}::uuid)`, occurredAt, eventId);
    }
    // One more row than asked tells whether another page follows.
    const rows = await runSql<AuditRow>(
      options.em ?? this.em,
      `SELECT event_id, bot_id, admin, action, target, details::text AS details_json, to_json(occurred_at) #>> '{}' AS occurred_at
       FROM users.audit_entries WHERE ${conditions.join(' AND ')}
       ORDER BY occurred_at DESC, event_id DESC
       LIMIT ${limit + 1}`,
      parameters,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page.map(toEntry),
      ...(rows.length > limit ? { nextCursor: encodeCursor(last.occurred_at, last.event_id) } : {}),
    };
  }
}

function toEntry(row: AuditRow): AuditEntryJson {
  return {
    eventId: row.event_id,
    botId: row.bot_id,
    admin: row.admin,
    action: row.action,
    target: row.target,
    detailsJson: row.details_json,
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
}

// The timestamp keeps PostgreSQL's microseconds (a JS Date would round them off and skip or repeat rows).
function encodeCursor(occurredAt: string, eventId: string): string {
  return Buffer.from(JSON.stringify([occurredAt, eventId])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidAuditCursorError();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidAuditCursorError();
  const [occurredAt, eventId] = decoded as unknown[];
  if (!isTimestampPostgresAccepts(occurredAt) || typeof eventId !== 'string' || !UUID.test(eventId)) throw new InvalidAuditCursorError();
  return [occurredAt, eventId];
}

// What encodeCursor writes: to_json(timestamptz), e.g. 2026-11-23T10:00:00.123456+00:00.
const CURSOR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-5]):[0-5]\d)$/;

/**
 * Only the shape encodeCursor writes, with a real calendar day: Date.parse takes much that PostgreSQL
 * refuses with an error (trailing garbage and NUL, "foo 1", February 31, year 0).
 */
function isTimestampPostgresAccepts(value: unknown): value is string {
  const match = typeof value === 'string' ? CURSOR_TIMESTAMP.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
