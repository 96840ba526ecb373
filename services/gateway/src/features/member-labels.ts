import type { MemberViewJson } from '@botplatform/contracts';
import type { BotContext } from '../bot/bot-context.js';

/** Admins and the owner, whom /help tells of the admin menu. */
export function isAdmin(member: MemberViewJson | undefined): boolean {
  return member?.role === 'MEMBER_ROLE_ADMIN' || member?.role === 'MEMBER_ROLE_OWNER';
}

/** "Ann Lee" */
export function fullNameOf(member: Pick<MemberViewJson, 'firstName' | 'lastName'>): string {
  return [member.firstName, member.lastName].filter(Boolean).join(' ') || '?';
}

/** The member's role in the reader's language. */
export function roleLabel(ctx: BotContext, member: MemberViewJson | undefined): string {
  switch (member?.role) {
    case 'MEMBER_ROLE_OWNER':
      return ctx.t('role-owner');
    case 'MEMBER_ROLE_ADMIN':
      return ctx.t('role-admin');
    default:
      return member?.adminPending ? ctx.t('role-admin-pending') : ctx.t('role-user');
  }
}
