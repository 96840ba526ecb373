import { runSql, type InlineProjection, type RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdentityEvent } from './identity.decider.js';
import type { MembershipEvent } from './membership.decider.js';
import { Membership } from './membership.entity.js';

type KnownEvent = RecordedEvent<IdentityEvent | MembershipEvent>;

/**
 * The identities and memberships read models, written in the append's transaction, so the gateway's
 * next "see user" (or an admin's next look) already finds a block, a role or a language.
 */
export const membersProjection: InlineProjection = {
  name: 'users.members',
  async apply(events, em: EntityManager) {
    for (const event of events as readonly KnownEvent[]) {
      switch (event.type) {
        case 'IdentityCreated':
        case 'IdentityProfileChanged': {
          const { data } = event;
          const at = new Date(event.type === 'IdentityCreated' ? event.data.createdAt : event.data.changedAt);
          const profile = {
            username: data.profile.username ?? null,
            firstName: data.profile.firstName,
            lastName: data.profile.lastName ?? null,
            languageCode: data.profile.languageCode ?? null,
            isPremium: data.profile.isPremium,
          };
          // An upsert either way: identities of members who joined before identity streams existed were
          // filled from their UserRegistered by the migration. Plain SQL rather than em.upsert, as for
          // UserRegistered below: these run for every new user, and the ORM's query building and entity
          // bookkeeping cost more main-thread time than the statement itself (bench: first contact).
          await runSql(
            em,
            `INSERT INTO users.identities (user_id, telegram_user_id, username, first_name, last_name, language_code, is_premium,
               created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, first_name = excluded.first_name,
               last_name = excluded.last_name, language_code = excluded.language_code, is_premium = excluded.is_premium,
               updated_at = excluded.updated_at`,
            [data.userId, String(data.telegramUserId), profile.username, profile.firstName, profile.lastName, profile.languageCode, profile.isPremium, at],
          );
          break;
        }
        case 'UserRegistered': {
          const { data } = event;
          const joinedAt = new Date(data.registeredAt);
          await runSql(
            em,
            `INSERT INTO users.memberships (bot_id, telegram_user_id, user_id, role, admin_pending, status, blocked_by_admin,
               bot_blocked_by_user, start_payload, joined_at, last_seen_at)
             VALUES ($1, $2, $3, 'user', false, 'active', false, false, $4, $5, $5)`,
            [data.botId, String(data.telegramUserId), data.userId, data.startPayload || null, joinedAt],
          );
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
  },
};

function update(em: EntityManager, event: RecordedEvent<MembershipEvent>, changes: Partial<Membership>): Promise<number> {
  return em.nativeUpdate(Membership, { botId: event.data.botId, telegramUserId: String(event.data.telegramUserId) }, changes);
}
