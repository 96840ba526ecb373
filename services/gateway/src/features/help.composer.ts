import { Composer } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import { isAdmin } from './member-labels.js';

/** `/help`: the commands, in the user's language; admins also learn about /admin. */
export const helpFeature = new Composer<BotContext>();

helpFeature.command('help', async (ctx) => {
  const lines = [ctx.t('help-text')];
  if (isAdmin(ctx.member)) lines.push(ctx.t('help-admin'));
  await ctx.reply(lines.join('\n'));
});
