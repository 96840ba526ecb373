import type { Logger } from '@nestjs/common';
import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import { IncomingRateLimiter, type IncomingRateLimit } from './incoming-rate-limiter.js';
import { isMembershipReport, refuse, senderKey } from './refusal.js';

/**
 * Drops a user's updates beyond the rule (per bot and user), telling them once per window to slow down.
 * `false` switches the limit off (benchmarks drive one user far beyond any human rate).
 */
export function limitIncomingRate(rule: IncomingRateLimit | false, logger: Logger, now?: () => number): MiddlewareFn<BotContext> {
  if (rule === false) return (_ctx, next) => next();
  const limiter = new IncomingRateLimiter(rule, now);
  return async (ctx, next) => {
    if (isMembershipReport(ctx)) return next();
    const decision = limiter.take(senderKey(ctx));
    if (decision.allowed) return next();
    if (decision.notify) logger.warn(`bot ${ctx.tenant.botId}: user ${ctx.from?.id} is over the incoming rate limit; dropping updates`);
    await refuse(ctx, decision.notify ? ctx.t('rate-limited') : undefined);
  };
}
