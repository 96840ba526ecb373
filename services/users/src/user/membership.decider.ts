import type { Decider, DomainEvent } from '@botplatform/event-store';
import type { TelegramProfile } from './identity.decider.js';
import { NotAnAdminError } from '../bot/bot.errors.js';
import { CannotBlockAdminError, CannotBlockSelfError, NotAMemberError, OwnerOnlyError, ReasonRequiredError } from './user.errors.js';

export type { TelegramProfile } from './identity.decider.js';

/** A member's role in one bot. */
export type MemberRole = 'user' | 'admin' | 'owner';

/**
 * The standing that matters for a member, derived from two facts kept apart: an admin's block and the
 * user's own block of the bot. An admin's block wins (the bot refuses them either way), but the bot block
 * is remembered, so an unblock by the admin reveals it again.
 */
export type MemberStatus = 'active' | 'blocked_by_admin' | 'bot_blocked_by_user';

/**
 * Who acts on a member. The handler resolves the role from the read model before deciding, so the
 * decision stays pure: a non-member or a blocked admin acts as a 'user'; an API token acts as the owner.
 */
export interface ActingAdmin {
  /** "telegram:<id>" or "api:<token id>", as the audit log shows it. */
  readonly id: string;
  readonly role: MemberRole;
  /** Set when the actor is a Telegram user, so nobody blocks themself. */
  readonly telegramUserId?: number;
}

interface MemberCommand<Type extends string> {
  readonly type: Type;
  readonly botId: string;
  /** The member the command is about. */
  readonly telegramUserId: number;
  /** ISO time of the command. */
  readonly now: string;
}

/** A Telegram user wrote to the bot: they become a member the first time (the owner with the owner's role). */
export interface RegisterUser extends MemberCommand<'RegisterUser'> {
  /** The user's platform identity, the same in every bot (see `identityIdOf`). */
  readonly userId: string;
  readonly profile: TelegramProfile;
  readonly startPayload?: string;
  /** The Telegram user owns the bot (BotProfile.ownerTelegramUserId). */
  readonly isOwner: boolean;
}

/** An admin suggests a member as admin; the owner decides. */
export interface ProposeAdmin extends MemberCommand<'ProposeAdmin'> {
  readonly admin: ActingAdmin;
}

/** The owner makes a member an admin, proposed or not. */
export interface ApproveAdmin extends MemberCommand<'ApproveAdmin'> {
  readonly admin: ActingAdmin;
}

/** The owner takes admin rights back (or turns a pending proposal down). */
export interface RevokeAdmin extends MemberCommand<'RevokeAdmin'> {
  readonly admin: ActingAdmin;
}

export interface BlockMember extends MemberCommand<'BlockMember'> {
  readonly admin: ActingAdmin;
  /** 1-200 characters after trimming. */
  readonly reason: string;
}

export interface UnblockMember extends MemberCommand<'UnblockMember'> {
  readonly admin: ActingAdmin;
}

/** The member chose the bot's language; no code: follow Telegram's language again. */
export interface SetLanguage extends MemberCommand<'SetLanguage'> {
  readonly languageCode?: string;
}

/** The gateway saw the user block (or unblock) the bot. */
export interface RecordBotBlocked extends MemberCommand<'RecordBotBlocked'> {
  readonly blocked: boolean;
}

export type MembershipCommand = RegisterUser | ProposeAdmin | ApproveAdmin | RevokeAdmin | BlockMember | UnblockMember | SetLanguage | RecordBotBlocked;

interface MemberEventData {
  botId: string;
  userId: string;
  telegramUserId: number;
}

/** The shape of the first membership events ever stored: never change it, only add optional fields. */
export type UserRegistered = DomainEvent<'UserRegistered', MemberEventData & { profile: TelegramProfile; startPayload?: string; registeredAt: string }>;

/** The bot's owner joined (or was found holding a lesser role): changed by the platform, not by an admin. */
export type MemberOwnerRecognized = DomainEvent<
  'MemberOwnerRecognized',
  MemberEventData & { role: 'owner'; previousRole: MemberRole; changedBy: 'system'; changedAt: string }
>;

export type MemberAdminProposed = DomainEvent<'MemberAdminProposed', MemberEventData & { proposedBy: string; proposedAt: string }>;

export type MemberAdminApproved = DomainEvent<
  'MemberAdminApproved',
  MemberEventData & { role: 'admin'; previousRole: MemberRole; changedBy: string; changedAt: string }
>;

/** Admin rights taken back; `previousRole: 'user'` when only a pending proposal was turned down. */
export type MemberAdminRevoked = DomainEvent<
  'MemberAdminRevoked',
  MemberEventData & { role: 'user'; previousRole: MemberRole; wasPending: boolean; changedBy: string; changedAt: string }
>;

/** Status changes carry the derived status before and after, so the public mapper needs no state. */
interface StatusChangeData extends MemberEventData {
  status: MemberStatus;
  previousStatus: MemberStatus;
  changedBy: string;
  changedAt: string;
}

export type MemberBlocked = DomainEvent<'MemberBlocked', StatusChangeData & { reason: string }>;
export type MemberUnblocked = DomainEvent<'MemberUnblocked', StatusChangeData>;
export type BotBlockedByUser = DomainEvent<'BotBlockedByUser', StatusChangeData>;
export type BotUnblockedByUser = DomainEvent<'BotUnblockedByUser', StatusChangeData>;

export type MemberLanguageChanged = DomainEvent<'MemberLanguageChanged', MemberEventData & { languageCode?: string; previous?: string; changedAt: string }>;

export type MembershipEvent =
  | UserRegistered
  | MemberOwnerRecognized
  | MemberAdminProposed
  | MemberAdminApproved
  | MemberAdminRevoked
  | MemberBlocked
  | MemberUnblocked
  | BotBlockedByUser
  | BotUnblockedByUser
  | MemberLanguageChanged;

export interface Member {
  readonly joined: true;
  readonly botId: string;
  readonly telegramUserId: number;
  readonly userId: string;
  readonly role: MemberRole;
  readonly adminPending: boolean;
  readonly blockedByAdmin: boolean;
  readonly blockReason?: string;
  readonly botBlockedByUser: boolean;
  readonly languageOverride?: string;
}

export type MembershipState = { readonly joined: false } | Member;

/** The status that matters: an admin's block first, then the user's block of the bot. */
export function memberStatusOf(member: Pick<Member, 'blockedByAdmin' | 'botBlockedByUser'>): MemberStatus {
  if (member.blockedByAdmin) return 'blocked_by_admin';
  return member.botBlockedByUser ? 'bot_blocked_by_user' : 'active';
}

/** The longest block reason kept (Telegram messages and the audit log stay readable). */
export const MAX_BLOCK_REASON = 200;

/**
 * A Telegram user's membership in one bot: joining, roles, blocks, language. Every command that finds
 * the member already in the asked state decides nothing, so repeating one is harmless.
 */
export const membershipDecider: Decider<MembershipState, MembershipCommand, MembershipEvent> = {
  initialState: () => ({ joined: false }),

  evolve: (state, event) => {
    if (event.type === 'UserRegistered') {
      const { botId, telegramUserId, userId } = event.data;
      return { joined: true, botId, telegramUserId, userId, role: 'user', adminPending: false, blockedByAdmin: false, botBlockedByUser: false };
    }
    if (!state.joined) return state;
    switch (event.type) {
      case 'MemberOwnerRecognized':
        return { ...state, role: 'owner', adminPending: false };
      case 'MemberAdminProposed':
        return { ...state, adminPending: true };
      case 'MemberAdminApproved':
        return { ...state, role: 'admin', adminPending: false };
      case 'MemberAdminRevoked':
        return { ...state, role: 'user', adminPending: false };
      case 'MemberBlocked':
        return { ...state, blockedByAdmin: true, blockReason: event.data.reason };
      case 'MemberUnblocked': {
        const { blockReason: _, ...rest } = state;
        return { ...rest, blockedByAdmin: false };
      }
      case 'BotBlockedByUser':
        return { ...state, botBlockedByUser: true };
      case 'BotUnblockedByUser':
        return { ...state, botBlockedByUser: false };
      case 'MemberLanguageChanged': {
        const { languageOverride: _, ...rest } = state;
        return event.data.languageCode ? { ...rest, languageOverride: event.data.languageCode } : rest;
      }
    }
  },

  decide: (command, state) => {
    if (command.type === 'RegisterUser') return register(command, state);
    if (!state.joined) throw new NotAMemberError(command.botId, command.telegramUserId);
    const member = state;
    const ids: MemberEventData = { botId: member.botId, userId: member.userId, telegramUserId: member.telegramUserId };
    switch (command.type) {
      case 'ProposeAdmin':
        requireAdmin(command);
        if (member.role !== 'user' || member.adminPending) return [];
        return [{ type: 'MemberAdminProposed', data: { ...ids, proposedBy: command.admin.id, proposedAt: command.now } }];

      case 'ApproveAdmin':
        requireOwner(command, 'approve admins');
        if (member.role !== 'user') return [];
        return [
          { type: 'MemberAdminApproved', data: { ...ids, role: 'admin', previousRole: member.role, changedBy: command.admin.id, changedAt: command.now } },
        ];

      case 'RevokeAdmin': {
        requireOwner(command, 'revoke admins');
        const revocable = member.role === 'admin' || (member.role === 'user' && member.adminPending);
        if (!revocable) return [];
        return [
          {
            type: 'MemberAdminRevoked',
            data: { ...ids, role: 'user', previousRole: member.role, wasPending: member.adminPending, changedBy: command.admin.id, changedAt: command.now },
          },
        ];
      }

      case 'BlockMember': {
        requireAdmin(command);
        const reason = command.reason.trim();
        if (reason.length < 1 || reason.length > MAX_BLOCK_REASON) throw new ReasonRequiredError();
        if (command.admin.telegramUserId === member.telegramUserId) throw new CannotBlockSelfError();
        requireOutranks(command.admin, member);
        if (member.blockedByAdmin) return [];
        const status = statusChange(member, { ...member, blockedByAdmin: true }, command.admin.id, command.now);
        return [{ type: 'MemberBlocked', data: { ...ids, ...status, reason } }];
      }

      case 'UnblockMember':
        requireAdmin(command);
        requireOutranks(command.admin, member);
        if (!member.blockedByAdmin) return [];
        return [{ type: 'MemberUnblocked', data: { ...ids, ...statusChange(member, { ...member, blockedByAdmin: false }, command.admin.id, command.now) } }];

      case 'SetLanguage': {
        const languageCode = command.languageCode?.toLowerCase();
        if (languageCode === member.languageOverride) return [];
        return [
          {
            type: 'MemberLanguageChanged',
            data: {
              ...ids,
              ...(languageCode ? { languageCode } : {}),
              ...(member.languageOverride ? { previous: member.languageOverride } : {}),
              changedAt: command.now,
            },
          },
        ];
      }

      case 'RecordBotBlocked': {
        if (command.blocked === member.botBlockedByUser) return [];
        const status = statusChange(member, { ...member, botBlockedByUser: command.blocked }, `telegram:${member.telegramUserId}`, command.now);
        return [{ type: command.blocked ? 'BotBlockedByUser' : 'BotUnblockedByUser', data: { ...ids, ...status } }];
      }
    }
  },
};

function register(command: RegisterUser, state: MembershipState): MembershipEvent[] {
  const ids: MemberEventData = { botId: command.botId, userId: command.userId, telegramUserId: command.telegramUserId };
  const events: MembershipEvent[] = [];
  if (!state.joined) {
    events.push({
      type: 'UserRegistered',
      data: {
        ...ids,
        profile: command.profile,
        ...(command.startPayload ? { startPayload: command.startPayload } : {}),
        registeredAt: command.now,
      },
    });
  }
  // Also for a member who joined before the owner's role existed: the owner is recognized on their next update.
  const role = state.joined ? state.role : 'user';
  if (command.isOwner && role !== 'owner') {
    events.push({ type: 'MemberOwnerRecognized', data: { ...ids, role: 'owner', previousRole: role, changedBy: 'system', changedAt: command.now } });
  }
  return events;
}

/** A non-member, a plain user or a blocked admin acts as a 'user' (see ActingAdmin). */
function requireAdmin({ botId, admin }: { botId: string; admin: ActingAdmin }): void {
  if (admin.role === 'user') throw new NotAnAdminError(botId, admin.id);
}

function requireOwner(command: { botId: string; admin: ActingAdmin }, action: string): void {
  requireAdmin(command);
  if (command.admin.role !== 'owner') throw new OwnerOnlyError(command.admin.id, action);
}

/** The owner is never blocked; only the owner blocks or unblocks an admin. */
function requireOutranks(admin: ActingAdmin, member: Member): void {
  if (member.role === 'owner') throw new CannotBlockAdminError('owner');
  if (member.role === 'admin' && admin.role !== 'owner') throw new CannotBlockAdminError('admin');
}

function statusChange(before: Member, after: Member, changedBy: string, changedAt: string): Omit<StatusChangeData, keyof MemberEventData> {
  return { status: memberStatusOf(after), previousStatus: memberStatusOf(before), changedBy, changedAt };
}

/** The stream of one user's membership in one bot. */
export const membershipStreamId = (botId: string, telegramUserId: number): string => `membership-${botId}-${telegramUserId}`;
