import type { FeatureContext } from '@botplatform/bot-kit';
import type { MemberViewJson } from '@botplatform/contracts';

/** "Ann Lee" */
export function fullNameOf(member: Pick<MemberViewJson, 'firstName' | 'lastName'>): string {
  return [member.firstName, member.lastName].filter(Boolean).join(' ') || '?';
}

/** The member's role in the reader's language. */
export function roleLabel(ctx: FeatureContext, member: MemberViewJson): string {
  switch (member.role) {
    case 'MEMBER_ROLE_OWNER':
      return ctx.t('role-owner');
    case 'MEMBER_ROLE_ADMIN':
      return ctx.t('role-admin');
    default:
      return member.adminPending ? ctx.t('role-admin-pending') : ctx.t('role-user');
  }
}

/** The member's standing in the reader's language. */
export function statusLabel(ctx: FeatureContext, member: MemberViewJson): string {
  switch (member.status) {
    case 'MEMBER_STATUS_BLOCKED_BY_ADMIN':
      return ctx.t('admin-status-blocked-by-admin', { reason: member.blockReason ?? '-' });
    case 'MEMBER_STATUS_BOT_BLOCKED_BY_USER':
      return ctx.t('admin-status-bot-blocked');
    default:
      return ctx.t('admin-status-active');
  }
}
