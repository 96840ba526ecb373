import { describe, expect, it } from '@jest/globals';
import { localeSource, notificationsTranslate, SUPPORTED_LOCALES } from './notifications-i18n.js';
import { CATEGORIES } from '../rules/rule-catalogue.js';

/** Message ids of a Fluent file (terms and comments left out). */
function messageIds(source: string): string[] {
  return [...source.matchAll(/^([a-z][a-z0-9-]*)\s*=/gm)].map((match) => match[1]!).sort();
}

describe('The notifications service translations', () => {
  it('have the same messages in every language, a name for every category among them', () => {
    const english = messageIds(localeSource('en'));
    for (const category of CATEGORIES) expect(english).toContain(`category-${category}`);
    for (const locale of SUPPORTED_LOCALES) expect(messageIds(localeSource(locale))).toEqual(english);
  });

  it('render variables without isolation marks, falling back to English', () => {
    const t = notificationsTranslate();
    expect(t('ru', 'notifications-off', { category: t('ru', 'category-achievements') })).toBe('🔕 Уровни и значки: выкл.');
    expect(t('de', 'notifications-on', { category: t('de', 'category-welcome') })).toBe('🔔 Welcome: on');
  });
});
