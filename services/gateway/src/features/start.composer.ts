import { Composer } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';

/**
 * `/start`: greets the user in their language with the bot's name. A deep-link payload
 * (`/start <payload>`) was already stored on the membership by the identity middleware.
 */
export const startFeature = new Composer<BotContext>();

startFeature.command('start', async (ctx) => {
  await ctx.reply(ctx.t('start-greeting', { name: ctx.from?.first_name ?? '', bot: ctx.tenant.name }));
});
