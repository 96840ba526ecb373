import type { Logger } from '@nestjs/common';
import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';

const TELEGRAM_USER_ID_MAX = 2 ** 52;

/**
 * Passes over, quietly, updates no feature can serve: no human sender (channel posts, anonymous group
 * admins, other bots), or a sender Telegram would never produce (no valid id, no first name), which
 * only a broken or forged update carries. Nothing is answered; the update is logged and done.
 */
export function passOverIgnorableUpdates(logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) {
      logger.debug(`update ${ctx.update.update_id} of bot ${ctx.tenant.botId} passed over: no human sender`);
      return;
    }
    if (
      !Number.isSafeInteger(from.id) ||
      from.id <= 0 ||
      from.id > TELEGRAM_USER_ID_MAX ||
      typeof from.first_name !== 'string' ||
      from.first_name.trim() === ''
    ) {
      logger.warn(`update ${ctx.update.update_id} of bot ${ctx.tenant.botId} passed over: malformed sender (correlation ${ctx.correlationId})`);
      return;
    }
    await next();
  };
}
