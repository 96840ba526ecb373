import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { LOCALES_DIRECTORY, createGatewayI18n, localeSource } from './gateway-i18n.js';
import { SUPPORTED_LOCALES } from './locale-negotiation.js';

/** Message ids of a Fluent file (terms and comments left out). */
function messageIds(source: string): string[] {
  return [...source.matchAll(/^([a-z][a-z0-9-]*)\s*=/gm)].map((match) => match[1]!).sort();
}

describe('The gateway translations', () => {
  it('are read from src/i18n/locales, which the compiled module (dist/i18n) resolves to as well', () => {
    expect(LOCALES_DIRECTORY.replaceAll('\\', '/')).toMatch(/services\/gateway\/src\/i18n\/locales\/$/);
    for (const locale of SUPPORTED_LOCALES) expect(existsSync(`${LOCALES_DIRECTORY}${locale}.ftl`)).toBe(true);
    const packageRoot = new URL('../../../', pathToFileURL(LOCALES_DIRECTORY));
    const compiledModule = new URL('dist/i18n/gateway-i18n.js', packageRoot);
    expect(new URL('../../src/i18n/locales/', compiledModule).href).toBe(pathToFileURL(LOCALES_DIRECTORY).href);
  });

  it('have the same messages in every language', () => {
    const english = messageIds(localeSource('en'));
    expect(english.length).toBeGreaterThan(15);
    for (const locale of SUPPORTED_LOCALES) expect(messageIds(localeSource(locale))).toEqual(english);
  });

  it('render variables without Unicode isolation marks', () => {
    const i18n = createGatewayI18n();
    expect(i18n.t('en', 'start-greeting', { name: 'Ann', bot: 'Shop' })).toBe('Hello, Ann! I am Shop. Send /help to see what I can do.');
    expect(i18n.t('ru', 'blocked-notice-reason', { reason: 'спам' })).toBe(
      'Вы заблокированы в этом боте. Причина: спам\nСледующие сообщения какое-то время останутся без ответа.',
    );
  });

  it('fall back to English for a locale without a file', () => {
    expect(createGatewayI18n().t('de', 'error-generic', { reference: 'abcd1234' })).toBe('Something went wrong. Reference: abcd1234');
  });
});
