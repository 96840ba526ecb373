import { runSql, type InlineProjection, type RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdentityEvent } from './identity.decider.js';
import type { MembershipEvent, UserRegistered } from './membership.decider.js';
import { MEMBER_COLUMNS, type MemberRow } from './member-directory.js';
import { Membership } from './membership.entity.js';

type KnownEvent = RecordedEvent<IdentityEvent | MembershipEvent>;

/**
 * The identities and memberships read models, written in the append's transaction, so the gateway's
 * next "see user" (or an admin's next look) already finds a block, a role or a language.
 */
export const membersProjection: InlineProjection = membersProjectionTelling();

/**
 * The members projection, telling `onRegistered` of each new member's row as its registration wrote it
 * (the statement returns the member's view, so register-user answers without reading it again) when
 * no later event of the same run changes that membership. Called in the transaction: the row is only
 * true once that commits.
 */
export function membersProjectionTelling(onRegistered?: (row: MemberRow) => void): InlineProjection {
  return {
    name: 'users.members',
    apply: (events, em: EntityManager) => applyMembers(events as readonly KnownEvent[], em, onRegistered),
  };
}

async function applyMembers(known: readonly KnownEvent[], em: EntityManager, onRegistered?: (row: MemberRow) => void): Promise<void> {
  // The member view of a membership row just inserted (`m`), its identity as `identity`.
  const viewOf = (identity: string) => ` RETURNING *) SELECT ${MEMBER_COLUMNS} FROM m LEFT JOIN ${identity} i ON i.user_id = m.user_id`;
  const tell = (rows: MemberRow[], index: number) => {
    const streamId = known[index].metadata.streamId;
    if (onRegistered && rows[0] && !known.slice(index + 1).some((later) => later.metadata.streamId === streamId)) onRegistered(rows[0]);
  };
  for (let i = 0; i < known.length; i++) {
    const event = known[i];
    switch (event.type) {
      case 'IdentityCreated':
      case 'IdentityProfileChanged': {
        // An upsert either way: identities of members who joined before identity streams existed were
        // filled from their UserRegistered by the migration. Plain SQL rather than em.upsert, as for
        // UserRegistered below: these run for every new user, and the ORM's query building and entity
        // bookkeeping cost more main-thread time than the statement itself (bench: first contact).
        const identity = identityUpsertOf(event);
        const next = known[i + 1];
        if (next?.type === 'UserRegistered') {
          // A new member's identity and membership (register-user appends both at once): one statement,
          // one round trip, the same two rows.
          const membership = membershipInsertOf(next, identity.values.length);
          const rows = await runSql<MemberRow>(em, `WITH identity AS (${identity.sql} RETURNING *), m AS (${membership.sql}${viewOf('identity')}`, [
            ...identity.values,
            ...membership.values,
          ]);
          tell(rows, i + 1);
          i++;
          break;
        }
        await runSql(em, identity.sql, identity.values);
        break;
      }
      case 'UserRegistered': {
        const membership = membershipInsertOf(event, 0);
        tell(await runSql<MemberRow>(em, `WITH m AS (${membership.sql}${viewOf('users.identities')}`, membership.values), i);
        break;
      }
      case 'MemberOwnerRecognized':
        await update(em, event, { role: 'owner', adminPending: false });
        break;
      case 'MemberAdminProposed':
        await update(em, event, { adminPending: true });
        break;
      case 'MemberAdminApproved':
        await update(em, event, { role: 'admin', adminPending: false });
        break;
      case 'MemberAdminRevoked':
        await update(em, event, { role: 'user', adminPending: false });
        break;
      case 'MemberBlocked':
        await update(em, event, { status: event.data.status, blockedByAdmin: true, blockReason: event.data.reason, blockedBy: event.data.changedBy });
        break;
      case 'MemberUnblocked':
        await update(em, event, { status: event.data.status, blockedByAdmin: false, blockReason: null, blockedBy: null });
        break;
      case 'BotBlockedByUser':
      case 'BotUnblockedByUser':
        await update(em, event, { status: event.data.status, botBlockedByUser: event.type === 'BotBlockedByUser' });
        break;
      case 'MemberLanguageChanged':
        await update(em, event, { languageOverride: event.data.languageCode ?? null });
        break;
    }
  }
}

/** The identities row of an identity event, as an upsert with parameters $1-$8. */
function identityUpsertOf(event: RecordedEvent<IdentityEvent>): { sql: string; values: unknown[] } {
  const { data } = event;
  const at = new Date(event.type === 'IdentityCreated' ? event.data.createdAt : event.data.changedAt);
  return {
    sql: `INSERT INTO users.identities (user_id, telegram_user_id, username, first_name, last_name, language_code, is_premium,
            created_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
          ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, first_name = excluded.first_name,
            last_name = excluded.last_name, language_code = excluded.language_code, is_premium = excluded.is_premium,
            updated_at = excluded.updated_at`,
    values: [
      data.userId,
      String(data.telegramUserId),
      data.profile.username ?? null,
      data.profile.firstName,
      data.profile.lastName ?? null,
      data.profile.languageCode ?? null,
      data.profile.isPremium,
      at,
    ],
  };
}

/** The memberships row of a registration, its parameters numbered after the first `offset`. */
function membershipInsertOf(event: RecordedEvent<UserRegistered>, offset: number): { sql: string; values: unknown[] } {
  const { data } = event;
  const $ = (n: number) => `$${offset + n}`;
  return {
    sql: `INSERT INTO users.memberships (bot_id, telegram_user_id, user_id, role, admin_pending, status, blocked_by_admin,
            bot_blocked_by_user, start_payload, joined_at, last_seen_at)
          VALUES (${$(1)}, ${$(2)}, ${$(3)}, 'user', false, 'active', false, false, ${$(4)}, ${$(5)}, ${$(5)})`,
    values: [data.botId, String(data.telegramUserId), data.userId, data.startPayload || null, new Date(data.registeredAt)],
  };
}

function update(em: EntityManager, event: RecordedEvent<MembershipEvent>, changes: Partial<Membership>): Promise<number> {
  return em.nativeUpdate(Membership, { botId: event.data.botId, telegramUserId: String(event.data.telegramUserId) }, changes);
}
