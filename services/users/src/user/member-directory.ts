import type { CountMembersReplyJson, MemberRoleJson, MemberStatusJson, MemberViewJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TELEGRAM_USER_ID } from '../shared/telegram-user-id.js';
import type { MemberRole, MemberStatus } from './membership.decider.js';
import { InvalidMemberCursorError } from './user.errors.js';

const ROLE_JSON: Record<MemberRole, MemberRoleJson> = { user: 'MEMBER_ROLE_USER', admin: 'MEMBER_ROLE_ADMIN', owner: 'MEMBER_ROLE_OWNER' };
const STATUS_JSON: Record<MemberStatus, MemberStatusJson> = {
  active: 'MEMBER_STATUS_ACTIVE',
  blocked_by_admin: 'MEMBER_STATUS_BLOCKED_BY_ADMIN',
  bot_blocked_by_user: 'MEMBER_STATUS_BOT_BLOCKED_BY_USER',
};

/** A member as `MEMBER_COLUMNS` select it. */
export interface MemberRow {
  bot_id: string;
  telegram_user_id: string;
  user_id: string;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  language_code: string | null;
  is_premium: boolean | null;
  role: MemberRole;
  status: MemberStatus;
  block_reason: string | null;
  admin_pending: boolean;
  language_override: string | null;
  start_payload: string | null;
  joined_at: string;
  last_seen_at: string;
}

// Timestamps as JSON text: MikroORM's pool leaves them as PostgreSQL's text otherwise.
/** The columns of a member view, over a membership `m` and its identity `i` (LEFT JOINed). */
export const MEMBER_COLUMNS = `m.bot_id, m.telegram_user_id::text, m.user_id, i.username, i.first_name, i.last_name, i.language_code,
  i.is_premium, m.role, m.status, m.block_reason, m.admin_pending, m.language_override, m.start_payload,
  to_json(m.joined_at) #>> '{}' AS joined_at, to_json(m.last_seen_at) #>> '{}' AS last_seen_at`;
// Raw SQL runs on the default search_path, so tables carry the service's schema. A LEFT JOIN: a
// membership whose identity stream has not been written yet still shows.
const MEMBERS_FROM = 'users.memberships m LEFT JOIN users.identities i ON i.user_id = m.user_id';

type Options = { em?: EntityManager };

/** At most this many members per search or page (the admin menu shows one screen). */
export const MAX_FIND_LIMIT = 50;
/** A page of list() when the caller names no size. */
export const DEFAULT_LIST_LIMIT = 20;

/** Which members of one bot list() shows, and from where. */
export interface MemberListFilter {
  readonly botId: string;
  readonly role?: MemberRole;
  readonly status?: MemberStatus;
  /** As find()'s query; blank or absent: every member. */
  readonly query?: string;
  /** 1-50, 20 when absent. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/**
 * Members of bots as the read models hold them: what other slices and the admin API ask about members.
 * Every query is scoped to one bot. Pass a transaction's `em` to read inside it.
 */
export class MemberDirectory {
  constructor(private readonly em: EntityManager) {}

  /**
   * The role a Telegram user acts with in a bot: their role, but 'user' while an admin's block holds
   * (a blocked admin has no admin rights); null when they are not a member.
   */
  async roleOf(botId: string, telegramUserId: number, options: Options = {}): Promise<MemberRole | null> {
    const [row] = await runSql<{ role: MemberRole; blocked_by_admin: boolean }>(
      options.em ?? this.em,
      'SELECT role, blocked_by_admin FROM users.memberships WHERE bot_id = $1 AND telegram_user_id = $2',
      [botId, telegramUserId],
    );
    if (!row) return null;
    return row.blocked_by_admin ? 'user' : row.role;
  }

  /** True when the Telegram user acts as an admin or the owner of the bot (the bot registry's admin check). */
  async isAdmin(botId: string, telegramUserId: number, options: Options = {}): Promise<boolean> {
    const role = await this.roleOf(botId, telegramUserId, options);
    return role === 'admin' || role === 'owner';
  }

  /** The member's role and whether an admin blocked them; null for a non-member. */
  async standing(botId: string, telegramUserId: number, options: Options = {}): Promise<{ role: MemberRole; blockedByAdmin: boolean } | null> {
    const [row] = await runSql<{ role: MemberRole; blocked_by_admin: boolean }>(
      options.em ?? this.em,
      'SELECT role, blocked_by_admin FROM users.memberships WHERE bot_id = $1 AND telegram_user_id = $2',
      [botId, telegramUserId],
    );
    return row ? { role: row.role, blockedByAdmin: row.blocked_by_admin } : null;
  }

  /** The member as the contract shows it; null when the Telegram user is not a member of the bot. */
  async view(botId: string, telegramUserId: number, options: Options = {}): Promise<MemberViewJson | null> {
    const [row] = await runSql<MemberRow>(
      options.em ?? this.em,
      `SELECT ${MEMBER_COLUMNS} FROM ${MEMBERS_FROM} WHERE m.bot_id = $1 AND m.telegram_user_id = $2`,
      [botId, telegramUserId],
      // Read for every update the gateway cannot answer from its member cache: planned once per connection.
      { preparedAs: 'users_member_view' },
    );
    return row ? toView(row) : null;
  }

  /**
   * Members of one bot matching what an admin typed: a Telegram id (exact), "@user" (username prefix), or
   * anything else as a username prefix or a part of the name, case-insensitive. Most recently seen first.
   */
  async find(botId: string, query: string, limit = 10, options: Options = {}): Promise<MemberViewJson[]> {
    const text = query.trim();
    if (!text) return [];
    const take = Math.min(Math.max(Math.trunc(limit), 1), MAX_FIND_LIMIT);
    const match = matchOf(text, 2);
    const rows = await runSql<MemberRow>(
      options.em ?? this.em,
      `SELECT ${MEMBER_COLUMNS} FROM ${MEMBERS_FROM}
       WHERE m.bot_id = $1 AND ${match.sql}
       ORDER BY m.last_seen_at DESC, m.telegram_user_id
       LIMIT ${take}`,
      [botId, match.value],
    );
    return rows.map(toView);
  }

  /**
   * One page of a bot's members, newest first: joined_at, then the Telegram user id, both descending.
   * Pages continue from an opaque cursor, the (joined_at, telegram_user_id) of the last member shown, so
   * members joining meanwhile never shift a page. `query` matches as in find(); a blank one matches all.
   * Throws InvalidMemberCursorError (USERS.INVALID_CURSOR) for a cursor this directory did not write.
   */
  async list(filter: MemberListFilter, options: Options = {}): Promise<{ members: MemberViewJson[]; nextCursor?: string }> {
    const take = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_LIST_LIMIT), 1), MAX_FIND_LIMIT);
    const conditions = ['m.bot_id = $1'];
    const parameters: unknown[] = [filter.botId];
    const add = (sql: (n: number) => string, ...values: unknown[]) => {
      conditions.push(sql(parameters.length + 1));
      parameters.push(...values);
    };
    if (filter.role !== undefined) add((n) => `m.role = $${n}`, filter.role);
    if (filter.status !== undefined) add((n) => `m.status = $${n}`, filter.status);
    const text = filter.query?.trim();
    if (text) {
      const match = matchOf(text, parameters.length + 1);
      add(() => match.sql, match.value);
    }
    if (filter.cursor !== undefined) {
      const [joinedAt, telegramUserId] = decodeMemberCursor(filter.cursor);
      add((n) => `(m.joined_at, m.telegram_user_id) < ($${n}::timestamptz, $${n + 1}::bigint)`, joinedAt, telegramUserId);
    }
    // One more row than asked tells whether another page follows. The cursor takes joined_at as
    // PostgreSQL wrote it, microseconds included (the view's ISO time rounds them off: rows skipped or repeated).
    const rows = await runSql<MemberRow>(
      options.em ?? this.em,
      `SELECT ${MEMBER_COLUMNS} FROM ${MEMBERS_FROM}
       WHERE ${conditions.join(' AND ')}
       ORDER BY m.joined_at DESC, m.telegram_user_id DESC
       LIMIT ${take + 1}`,
      parameters,
    );
    const page = rows.slice(0, take);
    const last = page[page.length - 1];
    return {
      members: page.map(toView),
      ...(rows.length > take ? { nextCursor: encodeMemberCursor(last.joined_at, last.telegram_user_id) } : {}),
    };
  }

  /** The admin menu's figures for one bot; "active today" counts members seen at or after `since`. */
  async counts(botId: string, since: Date, options: Options = {}): Promise<Required<CountMembersReplyJson>> {
    const [row] = await runSql<{ members: number; active_today: number; blocked_the_bot: number; blocked_by_admin: number; admins: number }>(
      options.em ?? this.em,
      `SELECT count(*)::integer AS members,
              count(*) FILTER (WHERE last_seen_at >= $2)::integer AS active_today,
              count(*) FILTER (WHERE bot_blocked_by_user)::integer AS blocked_the_bot,
              count(*) FILTER (WHERE blocked_by_admin)::integer AS blocked_by_admin,
              count(*) FILTER (WHERE role <> 'user')::integer AS admins
       FROM users.memberships WHERE bot_id = $1`,
      [botId, since],
    );
    return {
      members: row.members,
      activeToday: row.active_today,
      blockedTheBot: row.blocked_the_bot,
      blockedByAdmin: row.blocked_by_admin,
      admins: row.admins,
    };
  }

  /**
   * Moves the member's last-seen time to `at`, unless it moved less than a minute ago. Last seen lives
   * only in the read model: as an event it would be one per message, flooding the member's stream
   * and the bus for a figure nobody decides on. The minute keeps the per-update cost to a no-op UPDATE.
   * `at` comes from the service's clock rather than PostgreSQL's now(), so tests can move time.
   */
  async touch(botId: string, telegramUserId: number, at: Date, options: Options = {}): Promise<boolean> {
    const rows = await runSql<{ touched: number }>(
      options.em ?? this.em,
      `UPDATE users.memberships SET last_seen_at = $3
       WHERE bot_id = $1 AND telegram_user_id = $2 AND last_seen_at < $3::timestamptz - interval '1 minute'
       RETURNING 1 AS touched`,
      [botId, telegramUserId, at],
      { preparedAs: 'users_member_touch' },
    );
    return rows.length > 0;
  }
}

/**
 * The condition for what an admin typed, its one value as parameter $n: a Telegram id (exact), "@user"
 * (username prefix), or anything else as a username prefix or a part of the name, case-insensitive.
 */
function matchOf(text: string, n: number): { sql: string; value: string } {
  if (/^[1-9][0-9]{0,15}$/.test(text)) return { sql: `m.telegram_user_id = $${n}`, value: text };
  if (text.startsWith('@')) return { sql: `lower(i.username) LIKE $${n}::text || '%'`, value: escapeLike(text.slice(1).toLowerCase()) };
  return {
    sql: `(lower(i.username) LIKE $${n}::text || '%' OR lower(i.first_name || ' ' || coalesce(i.last_name, '')) LIKE '%' || $${n}::text || '%')`,
    value: escapeLike(text.toLowerCase()),
  };
}

function encodeMemberCursor(joinedAt: string, telegramUserId: string): string {
  return Buffer.from(JSON.stringify([joinedAt, telegramUserId])).toString('base64url');
}

function decodeMemberCursor(cursor: string): [string, string] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidMemberCursorError();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidMemberCursorError();
  const [joinedAt, telegramUserId] = decoded as unknown[];
  if (!isCursorTimestamp(joinedAt) || typeof telegramUserId !== 'string' || !TELEGRAM_USER_ID.test(telegramUserId)) throw new InvalidMemberCursorError();
  return [joinedAt, telegramUserId];
}

// What encodeMemberCursor writes: to_json(timestamptz), e.g. 2026-11-23T10:00:00.123456+00:00.
const CURSOR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-5]):[0-5]\d)$/;

/** Only that shape, with a real calendar day: Date.parse takes much that PostgreSQL refuses with an error. */
function isCursorTimestamp(value: unknown): value is string {
  const match = typeof value === 'string' ? CURSOR_TIMESTAMP.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The contract's view of a member row. */
export function toView(row: MemberRow): MemberViewJson {
  return {
    botId: row.bot_id,
    userId: row.user_id,
    telegramUserId: row.telegram_user_id,
    ...(row.username ? { username: row.username } : {}),
    firstName: row.first_name ?? '',
    ...(row.last_name ? { lastName: row.last_name } : {}),
    ...(row.language_code ? { telegramLanguageCode: row.language_code } : {}),
    ...(row.language_override ? { languageOverride: row.language_override } : {}),
    isPremium: row.is_premium ?? false,
    role: ROLE_JSON[row.role],
    status: STATUS_JSON[row.status],
    ...(row.block_reason ? { blockReason: row.block_reason } : {}),
    adminPending: row.admin_pending,
    ...(row.start_payload ? { startPayload: row.start_payload } : {}),
    joinedAt: new Date(row.joined_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
  };
}
