import { formatMinorUnits } from './money.js';

describe('Amounts in minor units as the member reads them', () => {
  it('uses the currency’s own digits, exactly', () => {
    expect(formatMinorUnits('499', 'EUR')).toBe('4.99 EUR');
    expect(formatMinorUnits('5', 'EUR')).toBe('0.05 EUR');
    expect(formatMinorUnits('150000', 'RUB')).toBe('1500.00 RUB');
    expect(formatMinorUnits('1500', 'JPY')).toBe('1500 JPY');
    expect(formatMinorUnits('1234', 'KWD')).toBe('1.234 KWD');
    expect(formatMinorUnits('9007199254740993', 'USD')).toBe('90071992547409.93 USD');
  });
});
