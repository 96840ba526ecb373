import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LOCALE, negotiateLocale, supportedLocaleOf } from './locale-negotiation.js';

describe('Locale negotiation', () => {
  describe('a Telegram language tag', () => {
    it.each([
      ['ru', 'ru'],
      ['ru-RU', 'ru'],
      ['RU', 'ru'],
      ['ru_ru', 'ru'],
      ['en-GB', 'en'],
      [' en ', 'en'],
    ])('%s is served as %s', (tag, locale) => {
      expect(supportedLocaleOf(tag)).toBe(locale);
    });

    it.each([['uk'], ['de-DE'], [''], [undefined], [null], ['rus']])('%s is not supported', (tag) => {
      expect(supportedLocaleOf(tag)).toBeUndefined();
    });
  });

  describe('when the member chose a language in the bot', () => {
    it('speaks it whatever Telegram says', () => {
      expect(negotiateLocale({ languageOverride: 'en', telegramLanguageCode: 'ru-RU' })).toBe('en');
      expect(negotiateLocale({ languageOverride: 'ru', telegramLanguageCode: 'en' })).toBe('ru');
    });

    it('falls back to the Telegram language when the choice is no longer supported', () => {
      expect(negotiateLocale({ languageOverride: 'de', telegramLanguageCode: 'ru' })).toBe('ru');
    });
  });

  describe('when the member chose nothing', () => {
    it('speaks the Telegram language when supported', () => {
      expect(negotiateLocale({ telegramLanguageCode: 'ru-RU' })).toBe('ru');
    });

    it('speaks the default language otherwise', () => {
      expect(negotiateLocale({ telegramLanguageCode: 'pt-br' })).toBe(DEFAULT_LOCALE);
      expect(negotiateLocale({})).toBe('en');
    });
  });
});
