import { Composer, InlineKeyboard } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import { localeOf } from '../i18n/gateway-i18n.js';
import { SUPPORTED_LOCALES, supportedLocaleOf } from '../i18n/locale-negotiation.js';
import { CallbackData } from './callback-data.js';
import type { FeatureDependencies } from './feature-dependencies.js';

/** Buttons of /language: `lang:set:<locale>`, or `lang:set:tg` to follow the Telegram language again. */
export const languageButtons = new CallbackData('lang');

const TELEGRAM_DEFAULT = 'tg';

/**
 * `/language`: the member picks the bot's language (or goes back to their Telegram language). The choice
 * is stored on the membership; the answer already speaks the new language.
 */
export function languageFeature({ users, memberCache }: FeatureDependencies): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('language', async (ctx) => {
    await ctx.reply(ctx.t('language-choose', { language: ctx.t(`language-name-${localeOf(ctx)}`) }), { reply_markup: keyboard(ctx) });
  });

  feature.callbackQuery(languageButtons.pattern, async (ctx) => {
    const command = languageButtons.decode(ctx.callbackQuery.data);
    const choice = command?.action === 'set' ? command.args[0] : undefined;
    const locale = choice === TELEGRAM_DEFAULT ? undefined : supportedLocaleOf(choice);
    if (!choice || (choice !== TELEGRAM_DEFAULT && !locale)) {
      await ctx.answerCallbackQuery();
      return;
    }
    const { botId } = ctx.tenant;
    const reply = await users.setMemberLanguage({ botId, telegramUserId: String(ctx.from.id), ...(locale ? { languageCode: locale } : {}) });
    memberCache.invalidate(botId, ctx.from.id);
    if (reply.member) ctx.member = reply.member;
    else if (ctx.member) ctx.member = { ...ctx.member, languageOverride: locale };
    await ctx.i18n.renegotiateLocale();
    // Speak the choice even if no member came back to negotiate it from.
    if (locale) ctx.i18n.useLocale(locale);
    const text = ctx.t('language-changed', { language: ctx.t(`language-name-${localeOf(ctx)}`) });
    await ctx.answerCallbackQuery({ text });
    await ctx.editMessageText(text);
  });

  return feature;
}

function keyboard(ctx: BotContext): InlineKeyboard {
  const markup = new InlineKeyboard();
  for (const locale of SUPPORTED_LOCALES) markup.text(ctx.t(`language-name-${locale}`), languageButtons.encode('set', locale));
  return markup.row().text(ctx.t('language-telegram-default'), languageButtons.encode('set', TELEGRAM_DEFAULT));
}
