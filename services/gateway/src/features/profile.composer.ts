import { Composer } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import { localeOf } from '../i18n/gateway-i18n.js';
import { fullNameOf, roleLabel } from './member-labels.js';

/** `/profile`: what the bot knows about the user, in their language. */
export const profileFeature = new Composer<BotContext>();

profileFeature.command('profile', async (ctx) => {
  const member = ctx.member;
  const locale = localeOf(ctx);
  const language = member?.languageOverride ? ctx.t(`language-name-${locale}`) : `${ctx.t(`language-name-${locale}`)} (${ctx.t('language-telegram-default')})`;
  const joined = member?.joinedAt ? new Date(member.joinedAt) : undefined;
  await ctx.reply(
    ctx.t('profile-text', {
      name: member ? fullNameOf(member) : (ctx.from?.first_name ?? ''),
      username: member?.username ? `@${member.username}` : ctx.t('profile-no-username'),
      role: roleLabel(ctx, member),
      language,
      // The platform keeps UTC; the member's own time zone is unknown to the bot.
      joined:
        joined && !Number.isNaN(joined.getTime())
          ? new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(joined)
          : ctx.t('profile-unknown'),
    }),
  );
});
