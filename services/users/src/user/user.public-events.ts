import {
  IdentityProfileChangedSchema,
  MemberLanguageChangedSchema,
  MemberRole as PublicRole,
  MemberRoleChangedSchema,
  MemberStatus as PublicStatus,
  MemberStatusChangedSchema,
  UserRegisteredSchema,
  timestampFromDate,
} from '@botplatform/contracts';
import type { PublicEventMapper } from '@botplatform/bus';
import type { RecordedEvent } from '@botplatform/event-store';
import type { IdentityEvent, TelegramProfile } from './identity.decider.js';
import type { MemberRole, MemberStatus, MembershipEvent } from './membership.decider.js';

const PUBLIC_ROLES: Record<MemberRole, PublicRole> = { user: PublicRole.USER, admin: PublicRole.ADMIN, owner: PublicRole.OWNER };
const PUBLIC_STATUSES: Record<MemberStatus, PublicStatus> = {
  active: PublicStatus.ACTIVE,
  blocked_by_admin: PublicStatus.BLOCKED_BY_ADMIN,
  bot_blocked_by_user: PublicStatus.BOT_BLOCKED_BY_USER,
};

/** Who an identity or membership event is about, as UserRegistered and IdentityProfileChanged both carry it. */
function personOf(data: { botId: string; userId: string; telegramUserId: number; profile: TelegramProfile }) {
  const { profile } = data;
  return {
    botId: data.botId,
    userId: data.userId,
    telegramUserId: BigInt(data.telegramUserId),
    username: profile.username,
    firstName: profile.firstName,
    lastName: profile.lastName,
    languageCode: profile.languageCode,
    isPremium: profile.isPremium,
  };
}

/**
 * Identity and membership events as other services see them (proto/botplatform/users/v1). Kept
 * internal: IdentityCreated (UserRegistered announces the person), MemberAdminProposed (only the
 * owner's decision changes a role), a revoked proposal that never made an admin, and a status event
 * whose status that matters did not change (the user blocked the bot while an admin's block holds).
 */
export const memberPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<MembershipEvent | IdentityEvent>;
  switch (event.type) {
    case 'UserRegistered': {
      const { data } = event;
      return {
        schema: UserRegisteredSchema,
        message: {
          ...personOf(data),
          startPayload: data.startPayload,
          registeredAt: timestampFromDate(new Date(data.registeredAt)),
        },
      };
    }
    case 'IdentityProfileChanged': {
      const { data } = event;
      return {
        schema: IdentityProfileChangedSchema,
        message: {
          ...personOf(data),
          changedAt: timestampFromDate(new Date(data.changedAt)),
        },
      };
    }
    case 'MemberOwnerRecognized':
    case 'MemberAdminApproved':
    case 'MemberAdminRevoked': {
      const { data } = event;
      if (data.role === data.previousRole) return null;
      return {
        schema: MemberRoleChangedSchema,
        message: {
          botId: data.botId,
          userId: data.userId,
          telegramUserId: BigInt(data.telegramUserId),
          role: PUBLIC_ROLES[data.role],
          previousRole: PUBLIC_ROLES[data.previousRole],
          changedBy: data.changedBy,
          changedAt: timestampFromDate(new Date(data.changedAt)),
        },
      };
    }
    case 'MemberBlocked':
    case 'MemberUnblocked':
    case 'BotBlockedByUser':
    case 'BotUnblockedByUser': {
      const { data } = event;
      if (data.status === data.previousStatus) return null;
      return {
        schema: MemberStatusChangedSchema,
        message: {
          botId: data.botId,
          userId: data.userId,
          telegramUserId: BigInt(data.telegramUserId),
          status: PUBLIC_STATUSES[data.status],
          previousStatus: PUBLIC_STATUSES[data.previousStatus],
          reason: event.type === 'MemberBlocked' ? event.data.reason : undefined,
          changedBy: data.changedBy,
          changedAt: timestampFromDate(new Date(data.changedAt)),
        },
      };
    }
    case 'MemberLanguageChanged': {
      const { data } = event;
      return {
        schema: MemberLanguageChangedSchema,
        message: {
          botId: data.botId,
          userId: data.userId,
          telegramUserId: BigInt(data.telegramUserId),
          languageCode: data.languageCode,
          changedAt: timestampFromDate(new Date(data.changedAt)),
        },
      };
    }
    default:
      return null;
  }
};
