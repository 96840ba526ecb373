import type { Translate } from '@botplatform/bot-kit';
import { I18n } from '@grammyjs/i18n';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The languages of the notifications service's bot screens; each has a `locales/<id>.ftl` file. */
export const SUPPORTED_LOCALES = ['en', 'ru'] as const;

export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

/** Spoken when the gateway negotiated a language the service has no texts in. */
export const DEFAULT_LOCALE: SupportedLocale = 'en';

/**
 * Where the Fluent files live. They stay in src/ and are read from there at
 * runtime: this module sits two levels below the package root both as src/i18n/*.ts (Jest) and
 * dist/i18n/*.js (tsc, which copies no assets), so one relative path serves both. The image ships src/.
 */
export const LOCALES_DIRECTORY = fileURLToPath(new URL('../../src/i18n/locales/', import.meta.url));

/** The Fluent source of one locale, as shipped. */
export function localeSource(locale: SupportedLocale): string {
  return readFileSync(`${LOCALES_DIRECTORY}${locale}.ftl`, 'utf8');
}

/**
 * The translator of the service's bot screens. The gateway already chose the member's language (their
 * choice, else Telegram's), so nothing is negotiated here: the router passes it with each key.
 */
export function createNotificationsI18n(): I18n {
  // Fluent wraps every placeable in Unicode isolation marks by default; Telegram shows them as garbage
  // in some clients and they break searching the text.
  const i18n = new I18n({ defaultLocale: DEFAULT_LOCALE, fluentBundleOptions: { useIsolating: false } });
  for (const locale of SUPPORTED_LOCALES) i18n.loadLocaleSync(locale, { source: localeSource(locale) });
  return i18n;
}

/** `translate(language, key, variables)` for a `BotFeatureRouter`; unknown languages fall back to English. */
export function notificationsTranslate(i18n: I18n = createNotificationsI18n()): Translate {
  return (language, key, variables) => i18n.t(language, key, variables);
}
