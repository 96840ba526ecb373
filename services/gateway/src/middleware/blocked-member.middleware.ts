import type { Logger } from '@nestjs/common';
import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import type { UsersClient } from '../users/users.client.js';
import { NoticeThrottle } from './incoming-rate-limiter.js';
import type { MemberCache } from './member-cache.js';
import { isMembershipReport, refuse, senderKey } from './refusal.js';

export interface BlockedMemberDependencies {
  readonly users: UsersClient;
  readonly cache: MemberCache;
  readonly logger: Logger;
  /** Milliseconds clock, for tests. */
  readonly now?: () => number;
}

/**
 * Refuses members an admin blocked: one polite notice with the reason at most once a minute, and
 * nothing else runs for them. A member recorded as having blocked the bot who writes again has
 * evidently unblocked it (Telegram sends no update for that in every client), so that is recorded.
 */
export function refuseBlockedMembers({ users, cache, logger, now }: BlockedMemberDependencies): MiddlewareFn<BotContext> {
  const notices = new NoticeThrottle(60_000, now);
  return async (ctx, next) => {
    const member = ctx.member;
    if (!member || !ctx.from || isMembershipReport(ctx)) return next();
    if (member.status === 'MEMBER_STATUS_BLOCKED_BY_ADMIN') {
      const notify = notices.shouldNotify(senderKey(ctx));
      const notice = !notify ? undefined : member.blockReason ? ctx.t('blocked-notice-reason', { reason: member.blockReason }) : ctx.t('blocked-notice');
      logger.debug(`update ${ctx.update.update_id} of bot ${ctx.tenant.botId} refused: member blocked by an admin`);
      await refuse(ctx, notice);
      return;
    }
    if (member.status === 'MEMBER_STATUS_BOT_BLOCKED_BY_USER') {
      await users.recordBotBlocked({ botId: ctx.tenant.botId, telegramUserId: String(ctx.from.id), blocked: false });
      cache.invalidate(ctx.tenant.botId, ctx.from.id);
      ctx.member = { ...member, status: 'MEMBER_STATUS_ACTIVE' };
    }
    await next();
  };
}
