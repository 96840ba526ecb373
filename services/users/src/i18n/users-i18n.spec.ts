import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { LOCALES_DIRECTORY, SUPPORTED_LOCALES, localeSource, usersTranslate } from './users-i18n.js';

/** Message ids of a Fluent file (terms and comments left out). */
function messageIds(source: string): string[] {
  return [...source.matchAll(/^([a-z][a-z0-9-]*)\s*=/gm)].map((match) => match[1]!).sort();
}

describe('The users service translations', () => {
  it('are read from src/i18n/locales', () => {
    expect(LOCALES_DIRECTORY.replaceAll('\\', '/')).toMatch(/services\/users\/src\/i18n\/locales\/$/);
    for (const locale of SUPPORTED_LOCALES) expect(existsSync(`${LOCALES_DIRECTORY}${locale}.ftl`)).toBe(true);
  });

  it('have the same messages in every language', () => {
    const english = messageIds(localeSource('en'));
    expect(english.length).toBeGreaterThan(50);
    for (const locale of SUPPORTED_LOCALES) expect(messageIds(localeSource(locale))).toEqual(english);
  });

  it('render variables without Unicode isolation marks, falling back to English', () => {
    const t = usersTranslate();
    expect(t('en', 'admin-blocked', { name: 'Ann', reason: 'spam' })).toBe('Ann is blocked. Reason: spam');
    expect(t('ru', 'admin-find-results', { count: 2 })).toBe('Найдено: 2. Выберите:');
    expect(t('de', 'admin-not-admin')).toBe("This menu is only for the bot's admins.");
  });
});
