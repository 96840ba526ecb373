import { describe, expect, it } from '@jest/globals';
import { chunkLines, expiryFrom, parseMoney, wholeNumber } from './promo-draft.js';

describe('the promo steps’ parsers', () => {
  it('reads amounts with their currency exactly, in minor units', () => {
    expect(parseMoney('100 XTR')).toEqual({ currency: 'XTR', amount: '100' });
    expect(parseMoney('4.99 eur')).toEqual({ currency: 'EUR', amount: '499' });
    expect(parseMoney('EUR 4,5')).toEqual({ currency: 'EUR', amount: '450' });
    expect(parseMoney('1500 JPY')).toEqual({ currency: 'JPY', amount: '1500' });
    expect(parseMoney('0.10 USD')).toEqual({ currency: 'USD', amount: '10' });
    // 0.1 + 0.2 style amounts never pass through a float.
    expect(parseMoney('999999999.99 USD')).toEqual({ currency: 'USD', amount: '99999999999' });
  });

  it('refuses amounts without a currency, with too many decimals, zero, or too large', () => {
    for (const text of ['100', 'XTR', '4.999 EUR', '1.5 XTR', '1.5 JPY', '0 XTR', '0.00 EUR', '-5 XTR', '10 EURO', '1000000000001 XTR', '5 1X']) {
      expect(parseMoney(text)).toBeUndefined();
    }
  });

  it('reads whole numbers from 1 to the maximum only', () => {
    expect(wholeNumber('1', 10)).toBe(1);
    expect(wholeNumber('10', 10)).toBe(10);
    for (const text of ['0', '11', '01', '1.5', '-1', '', 'ten']) expect(wholeNumber(text, 10)).toBeUndefined();
  });

  it('reads an expiry as never, days from now, or the end of a future date', () => {
    const now = new Date('2026-12-01T10:00:00.000Z');
    expect(expiryFrom('-', now)).toBeNull();
    expect(expiryFrom('30', now)).toBe('2026-12-31T10:00:00.000Z');
    expect(expiryFrom('2027-01-15', now)).toBe('2027-01-15T23:59:59.000Z');
    for (const text of ['0', '3651', '2026-11-30', '2027-02-30', '15.01.2027', 'tomorrow']) expect(expiryFrom(text, now)).toBeUndefined();
  });

  it('splits lines into texts within the limit, keeping every line whole', () => {
    const codes = Array.from({ length: 700 }, (_, i) => `CODE${String(i).padStart(8, '0')}`);
    const chunks = chunkLines(codes, 4000);
    expect(chunks.every((chunk) => chunk.length <= 4000)).toBe(true);
    expect(chunks.join('\n').split('\n')).toEqual(codes);
    expect(chunks).toHaveLength(3);
    expect(chunkLines([], 10)).toEqual([]);
  });
});
