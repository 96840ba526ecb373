import { reminderRequestId } from './reminder-delivery.client.js';
import { parseReminderDays } from './reminder-days.js';
import { reminderLanguageOf, reminderText } from './reminder-text.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const END = '2026-12-01T19:30:00.000Z';

describe('A reminder', () => {
  it('is written in Russian for ru members and in English for everyone else', () => {
    expect(reminderLanguageOf('ru')).toBe('ru');
    expect(reminderLanguageOf('ru-RU')).toBe('ru');
    expect(reminderLanguageOf('de')).toBe('en');
    expect(reminderLanguageOf(undefined)).toBe('en');
    expect(reminderText('en', { planName: 'Premium', trial: false, daysLeft: 3, endsAt: END })).toBe(
      'Your subscription "Premium" ends in 3 days, on 2026-12-01 19:30 UTC. To extend it: /plans',
    );
    expect(reminderText('en', { planName: 'Try', trial: true, daysLeft: 1, endsAt: END })).toBe(
      'Your trial "Try" ends in 1 day, on 2026-12-01 19:30 UTC. To extend it: /plans',
    );
  });

  it('counts days in Russian as Russian does', () => {
    const days = (n: number) => reminderText('ru', { planName: 'П', trial: false, daysLeft: n, endsAt: END }).match(/через (.+?):/)?.[1];
    expect([1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 111].map(days)).toEqual([
      '1 день',
      '2 дня',
      '4 дня',
      '5 дней',
      '11 дней',
      '12 дней',
      '14 дней',
      '21 день',
      '22 дня',
      '25 дней',
      '111 дней',
    ]);
  });

  it('has one request id per period end and number of days, the same at every attempt', () => {
    const id = reminderRequestId(BOT, 7_000_001, END, 3);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reminderRequestId(BOT, 7_000_001, END, 3)).toBe(id);
    expect(
      new Set([
        id,
        reminderRequestId(BOT, 7_000_001, END, 1),
        reminderRequestId(BOT, 7_000_002, END, 3),
        reminderRequestId(BOT, 7_000_001, '2026-12-31T19:30:00.000Z', 3),
      ]).size,
    ).toBe(4);
  });

  it("takes the bot's days from its setting only when they are a short list of whole days", () => {
    expect(parseReminderDays([1, 7, 3, 7])).toEqual([7, 3, 1]);
    expect(parseReminderDays([])).toEqual([]);
    for (const bad of [[0], [1.5], [366], ['3'], 3, null, [1, 2, 3, 4, 5, 6]]) expect(parseReminderDays(bad)).toBeUndefined();
  });
});
