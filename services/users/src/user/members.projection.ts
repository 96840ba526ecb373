import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdentityEvent } from './identity.decider.js';
import { Identity } from './identity.entity.js';
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
            updatedAt: at,
          };
          // An upsert either way: identities of members who joined before identity streams existed were
          // filled from their UserRegistered by the migration.
          await em.upsert(
            Identity,
            { userId: data.userId, telegramUserId: String(data.telegramUserId), ...profile, createdAt: at } as Identity,
            { onConflictFields: ['userId'], onConflictMergeFields: ['username', 'firstName', 'lastName', 'languageCode', 'isPremium', 'updatedAt'] },
          );
          break;
        }
        case 'UserRegistered': {
          const { data } = event;
          const joinedAt = new Date(data.registeredAt);
          await em.insert(Membership, {
            botId: data.botId,
            telegramUserId: String(data.telegramUserId),
            userId: data.userId,
            role: 'user',
            adminPending: false,
            status: 'active',
            blockedByAdmin: false,
            botBlockedByUser: false,
            ...(data.startPayload ? { startPayload: data.startPayload } : {}),
            joinedAt,
            lastSeenAt: joinedAt,
          });
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
