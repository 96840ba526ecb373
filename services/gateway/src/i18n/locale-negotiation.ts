/** The languages every hosted bot speaks; each has a `locales/<id>.ftl` file. */
export const SUPPORTED_LOCALES = ['en', 'ru'] as const;

export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

/** Spoken when neither the member's choice nor their Telegram language is supported. */
export const DEFAULT_LOCALE: SupportedLocale = 'en';

/**
 * The supported locale an IETF tag asks for, by its primary language: "ru-RU", "RU" and "ru_ru" are
 * Russian. `undefined` for an empty or unsupported tag.
 */
export function supportedLocaleOf(tag: string | null | undefined): SupportedLocale | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/, 1)[0];
  return SUPPORTED_LOCALES.find((locale) => locale === primary);
}

/** What the locale of one update is chosen from. */
export interface LocaleSources {
  /** The language the member chose in this bot with /language. */
  readonly languageOverride?: string | null | undefined;
  /** `from.language_code` of the update (the user's Telegram client language). */
  readonly telegramLanguageCode?: string | null | undefined;
}

/**
 * The locale to answer in: the member's own choice, else their Telegram language when supported, else
 * the default. A stale override naming a language we dropped falls through rather than failing.
 */
export function negotiateLocale(sources: LocaleSources): SupportedLocale {
  return supportedLocaleOf(sources.languageOverride) ?? supportedLocaleOf(sources.telegramLanguageCode) ?? DEFAULT_LOCALE;
}
