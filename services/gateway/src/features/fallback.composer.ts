import { Composer } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';

/**
 * Last in the pipeline: a button no feature claimed (an old message's, or one of a feature since
 * removed) still gets its callback answered, so the user's client stops spinning.
 */
export const fallbackFeature = new Composer<BotContext>();

fallbackFeature.on('callback_query', async (ctx) => {
  await ctx.answerCallbackQuery();
});
