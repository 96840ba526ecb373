import type { BotContext } from '../bot/bot-context.js';

/**
 * A `my_chat_member` update reports the user blocking or unblocking the bot; it asks nothing. Refusals
 * and rate limits skip it, so a blocked (or flooding) user blocking the bot is still recorded.
 */
export function isMembershipReport(ctx: BotContext): boolean {
  return ctx.update.my_chat_member !== undefined;
}

/** `<botId>:<telegram user id>`: the key of per-user limits inside one bot. */
export function senderKey(ctx: BotContext): string {
  return `${ctx.tenant.botId}:${ctx.from?.id ?? 'anonymous'}`;
}

/**
 * Refuses an update: a pre-checkout is declined, a pressed button always gets its callback answered
 * (else the user's client spins), with the notice as a toast when there is one; a message gets the
 * notice as a reply, or nothing.
 */
export async function refuse(ctx: BotContext, notice: string | undefined): Promise<void> {
  // A checkout is declined at once rather than left to Telegram's 10 s (it needs a text to decline).
  if (ctx.preCheckoutQuery) {
    await ctx.answerPreCheckoutQuery(false, { error_message: notice ?? ctx.t('feature-try-again') });
    return;
  }
  if (ctx.callbackQuery) {
    await ctx.answerCallbackQuery(notice ? { text: notice, show_alert: true } : undefined);
    return;
  }
  if (notice && ctx.chat) await ctx.reply(notice);
}
