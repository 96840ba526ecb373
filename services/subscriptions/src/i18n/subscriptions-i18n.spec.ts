import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { LOCALES_DIRECTORY, SUPPORTED_LOCALES, localeSource, subscriptionsTranslate } from './subscriptions-i18n.js';

/** Message ids of a Fluent file (terms and comments left out). */
function messageIds(source: string): string[] {
  return [...source.matchAll(/^([a-z][a-z0-9-]*)\s*=/gm)].map((match) => match[1]!).sort();
}

describe('The subscriptions service translations', () => {
  it('are read from src/i18n/locales', () => {
    expect(LOCALES_DIRECTORY.replaceAll('\\', '/')).toMatch(/services\/subscriptions\/src\/i18n\/locales\/$/);
    for (const locale of SUPPORTED_LOCALES) expect(existsSync(`${LOCALES_DIRECTORY}${locale}.ftl`)).toBe(true);
  });

  it('have the same messages in every language', () => {
    const english = messageIds(localeSource('en'));
    expect(english.length).toBeGreaterThan(60);
    for (const locale of SUPPORTED_LOCALES) expect(messageIds(localeSource(locale))).toEqual(english);
  });

  it('render plurals per language and variables without isolation marks, falling back to English', () => {
    const t = subscriptionsTranslate();
    expect(t('en', 'plans-trial-button', { days: 1 })).toBe('🎁 Free trial: 1 day');
    expect(t('en', 'plan-gives-period', { days: 30 })).toBe('Access for 30 days');
    expect(t('ru', 'plan-gives-period', { days: 1 })).toBe('Доступ на 1 день');
    expect(t('ru', 'plan-gives-period', { days: 3 })).toBe('Доступ на 3 дня');
    expect(t('ru', 'plan-gives-credits', { credits: 20 })).toBe('Пакет: 20 кредитов');
    expect(t('ru', 'subadmin-granted', { plan: 'VIP', id: '42', reason: 'конкурс' })).toBe('«VIP» выдан участнику 42. Причина: конкурс');
    expect(t('de', 'plans-title')).toBe('Choose a plan:');
  });
});
