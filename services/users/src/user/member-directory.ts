import type { CountMembersReplyJson, MemberRoleJson, MemberStatusJson, MemberViewJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MemberRole, MemberStatus } from './membership.decider.js';

const ROLE_JSON: Record<MemberRole, MemberRoleJson> = { user: 'MEMBER_ROLE_USER', admin: 'MEMBER_ROLE_ADMIN', owner: 'MEMBER_ROLE_OWNER' };
const STATUS_JSON: Record<MemberStatus, MemberStatusJson> = {
  active: 'MEMBER_STATUS_ACTIVE',
  blocked_by_admin: 'MEMBER_STATUS_BLOCKED_BY_ADMIN',
  bot_blocked_by_user: 'MEMBER_STATUS_BOT_BLOCKED_BY_USER',
};

interface MemberRow {
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
const MEMBER_COLUMNS = `m.bot_id, m.telegram_user_id::text, m.user_id, i.username, i.first_name, i.last_name, i.language_code,
  i.is_premium, m.role, m.status, m.block_reason, m.admin_pending, m.language_override, m.start_payload,
  to_json(m.joined_at) #>> '{}' AS joined_at, to_json(m.last_seen_at) #>> '{}' AS last_seen_at`;
// Raw SQL runs on the default search_path, so tables carry the service's schema. A LEFT JOIN: a
// membership whose identity stream has not been written yet still shows.
const MEMBERS_FROM = 'users.memberships m LEFT JOIN users.identities i ON i.user_id = m.user_id';

type Options = { em?: EntityManager };

/** At most this many members per search (the admin menu shows one screen). */
export const MAX_FIND_LIMIT = 50;

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
    let where: string;
    let parameters: unknown[];
    if (/^[1-9][0-9]{0,15}$/.test(text)) {
      where = 'm.telegram_user_id = $2';
      parameters = [text];
    } else if (text.startsWith('@')) {
      where = "lower(i.username) LIKE $2::text || '%'";
      parameters = [escapeLike(text.slice(1).toLowerCase())];
    } else {
      where = `(lower(i.username) LIKE $2::text || '%' OR lower(i.first_name || ' ' || coalesce(i.last_name, '')) LIKE '%' || $2::text || '%')`;
      parameters = [escapeLike(text.toLowerCase())];
    }
    const rows = await runSql<MemberRow>(
      options.em ?? this.em,
      `SELECT ${MEMBER_COLUMNS} FROM ${MEMBERS_FROM}
       WHERE m.bot_id = $1 AND ${where}
       ORDER BY m.last_seen_at DESC, m.telegram_user_id
       LIMIT ${take}`,
      [botId, ...parameters],
    );
    return rows.map(toView);
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
    );
    return rows.length > 0;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toView(row: MemberRow): MemberViewJson {
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
