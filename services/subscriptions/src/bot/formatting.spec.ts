import { describe, expect, it } from '@jest/globals';
import { formatMoment, formatPrice, formatPrices, minorDigitsOf, planTextIn } from './formatting.js';

describe('The bot screens of subscriptions format', () => {
  it('prices from minor units, exactly, with the currency', () => {
    expect(formatPrice({ currency: 'XTR', amount: '250' })).toBe('⭐ 250');
    expect(formatPrice({ currency: 'EUR', amount: '499' })).toBe('4.99 EUR');
    expect(formatPrice({ currency: 'USD', amount: '5' })).toBe('0.05 USD');
    expect(formatPrice({ currency: 'USD', amount: '100' })).toBe('1.00 USD');
    expect(formatPrice({ currency: 'RUB', amount: '29990' })).toBe('299.90 RUB');
    expect(formatPrice({ currency: 'JPY', amount: '500' })).toBe('500 JPY');
    expect(formatPrice({ currency: 'KWD', amount: '1234' })).toBe('1.234 KWD');
    // Past a double's exact range (2^53): no float ever rounds it.
    expect(formatPrice({ currency: 'EUR', amount: '900719925474099301' })).toBe('9007199254740993.01 EUR');
    expect(minorDigitsOf('XTR')).toBe(0);
  });

  it("a plan's prices, Stars first", () => {
    expect(
      formatPrices([
        { currency: 'EUR', amount: '499' },
        { currency: 'XTR', amount: '250' },
      ]),
    ).toBe('⭐ 250 / 4.99 EUR');
    expect(formatPrices([])).toBeUndefined();
  });

  it("a plan's name in the member's language, else English, else the first", () => {
    const texts = [
      { language: 'de', name: 'Monat', description: '' },
      { language: 'en', name: 'Month', description: '' },
      { language: 'ru', name: 'Месяц', description: '' },
    ];
    expect(planTextIn(texts, 'ru').name).toBe('Месяц');
    expect(planTextIn(texts, 'fr').name).toBe('Month');
    expect(planTextIn([texts[0]!], 'fr').name).toBe('Monat');
  });

  it("moments in the bot's time zone, UTC for an unknown one", () => {
    expect(formatMoment('2026-12-01T12:00:00.000Z', 'Europe/Berlin')).toBe('2026-12-01 13:00 (Europe/Berlin)');
    expect(formatMoment('2026-12-31T23:30:00.000Z', 'Asia/Tokyo')).toBe('2027-01-01 08:30 (Asia/Tokyo)');
    expect(formatMoment('2026-12-01T00:05:00.000Z', 'Nowhere/Else')).toBe('2026-12-01 00:05 (UTC)');
  });
});
