import { I18n } from '@grammyjs/i18n';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BotContext } from '../bot/bot-context.js';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, negotiateLocale, type SupportedLocale } from './locale-negotiation.js';

/**
 * Where the Fluent files live. They stay in src/ and are read from there at runtime: this module sits two
 * levels below the package root both as src/i18n/*.ts (Jest) and as dist/i18n/*.js (tsc), so one relative
 * path serves both, and tsc (which copies no assets) needs no build step for them. The image ships src/.
 */
export const LOCALES_DIRECTORY = fileURLToPath(new URL('../../src/i18n/locales/', import.meta.url));

/** The Fluent source of one locale, as shipped. */
export function localeSource(locale: SupportedLocale): string {
  return readFileSync(`${LOCALES_DIRECTORY}${locale}.ftl`, 'utf8');
}

/**
 * Creates the translator of the hosted bots. Its middleware negotiates the locale per update (see
 * {@link negotiateLocale}); the identity middleware renegotiates once `ctx.member` is known.
 */
export function createGatewayI18n(): I18n<BotContext> {
  const i18n = new I18n<BotContext>({
    defaultLocale: DEFAULT_LOCALE,
    // Fluent wraps every placeable in Unicode isolation marks by default; Telegram shows them as
    // garbage in some clients and they break searching the text.
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: (ctx) => localeOf(ctx),
  });
  for (const locale of SUPPORTED_LOCALES) i18n.loadLocaleSync(locale, { source: localeSource(locale) });
  return i18n;
}

/** The locale of an update, from what is known of its sender so far. */
export function localeOf(ctx: Pick<BotContext, 'from' | 'member'>): SupportedLocale {
  return negotiateLocale({ languageOverride: ctx.member?.languageOverride, telegramLanguageCode: ctx.from?.language_code });
}

let shared: I18n<BotContext> | undefined;

/** One translator per process: the texts are the same for every bot, and parsing them is not free. */
export function gatewayI18n(): I18n<BotContext> {
  shared ??= createGatewayI18n();
  return shared;
}
