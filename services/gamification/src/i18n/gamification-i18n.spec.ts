import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { LOCALES_DIRECTORY, SUPPORTED_LOCALES, gamificationTranslate, localeSource } from './gamification-i18n.js';

/** Message ids of a Fluent file (terms and comments left out). */
function messageIds(source: string): string[] {
  return [...source.matchAll(/^([a-z][a-z0-9-]*)\s*=/gm)].map((match) => match[1]!).sort();
}

describe('The gamification service translations', () => {
  it('are read from src/i18n/locales', () => {
    expect(LOCALES_DIRECTORY.replaceAll('\\', '/')).toMatch(/services\/gamification\/src\/i18n\/locales\/$/);
    for (const locale of SUPPORTED_LOCALES) expect(existsSync(`${LOCALES_DIRECTORY}${locale}.ftl`)).toBe(true);
  });

  it('have the same messages in every language', () => {
    const english = messageIds(localeSource('en'));
    expect(english.length).toBeGreaterThan(15);
    for (const locale of SUPPORTED_LOCALES) expect(messageIds(localeSource(locale))).toEqual(english);
  });

  it('render plurals per language and variables without isolation marks, falling back to English', () => {
    const t = gamificationTranslate();
    expect(t('en', 'me-streak', { current: 1, longest: 4 })).toBe('🔥 Streak: 1 day (best: 4)');
    expect(t('en', 'me-streak', { current: 3, longest: 4 })).toBe('🔥 Streak: 3 days (best: 4)');
    expect(t('ru', 'me-streak', { current: 1, longest: 1 })).toBe('🔥 Серия: 1 день (рекорд: 1)');
    expect(t('ru', 'me-streak', { current: 3, longest: 3 })).toBe('🔥 Серия: 3 дня (рекорд: 3)');
    expect(t('ru', 'me-streak', { current: 5, longest: 5 })).toBe('🔥 Серия: 5 дней (рекорд: 5)');
    expect(t('en', 'me-next', { next: 3, missing: 40, threshold: 300 })).toBe('40 XP more to level 3 (from 300 XP)');
    expect(t('de', 'top-empty')).toBe('No one has XP in this bot yet.');
  });
});
