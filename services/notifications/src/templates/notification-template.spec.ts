import { compileTemplate } from './notification-template.js';
import { DEFAULT_TEMPLATES } from './default-templates.js';
import { RULES } from '../rules/rule-catalogue.js';

describe('A notification template', () => {
  it('formats variables and plurals in its language', () => {
    const check = compileTemplate('subscription_started', 'ru', DEFAULT_TEMPLATES.ru.subscription_started);
    if (!check.ok) throw new Error(check.problems.join('; '));
    const vars = { name: 'Аня', plan: 'monthly', ends_at: '2026-12-31', trial: 'no' };
    expect(check.template.format({ ...vars, days: 1 })).toBe('Подписка активна: 1 день, до 2026-12-31.');
    expect(check.template.format({ ...vars, days: 3 })).toBe('Подписка активна: 3 дня, до 2026-12-31.');
    expect(check.template.format({ ...vars, days: 30 })).toBe('Подписка активна: 30 дней, до 2026-12-31.');
  });

  it('selects on a string variable and pluralises in English', () => {
    const check = compileTemplate('subscription_started', 'en', DEFAULT_TEMPLATES.en.subscription_started);
    if (!check.ok) throw new Error(check.problems.join('; '));
    expect(check.template.format({ name: 'Ann', plan: 'p', days: 1, ends_at: '2026-12-01', trial: 'yes' })).toBe(
      'Your free trial has started: 1 day, until 2026-12-01.',
    );
    expect(check.template.format({ name: 'Ann', plan: 'p', days: 7, ends_at: '2026-12-07', trial: 'no' })).toBe(
      'Your subscription is active: 7 days, until 2026-12-07.',
    );
  });

  it.each(RULES.flatMap((rule) => (['en', 'ru'] as const).map((language) => [rule, language] as const)))(
    'ships a default for %s in %s that compiles',
    (rule, language) => {
      expect(compileTemplate(rule, language, DEFAULT_TEMPLATES[language][rule])).toMatchObject({ ok: true });
    },
  );

  it('refuses a variable its rule does not offer, naming it', () => {
    const check = compileTemplate('level_reached', 'en', 'Level { $level }, { $coins } coins');
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problems.join()).toContain('$coins');
  });

  it('refuses a variable hidden in a variant', () => {
    expect(compileTemplate('level_reached', 'en', '{ $level ->\n    [1] first { $secret }\n   *[other] next\n}').ok).toBe(false);
  });

  it.each([
    ['an unclosed placeable', 'Level { $level'],
    ['a select without a default variant', '{ $level ->\n    [1] one\n}'],
    ['a message reference', 'Level { other-message }'],
    ['a function call', 'Level { NUMBER($level) }'],
    ['an empty text', '   '],
  ])('refuses %s', (_case, source) => {
    expect(compileTemplate('level_reached', 'en', source).ok).toBe(false);
  });
});
