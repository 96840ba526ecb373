import { majorUnits } from './money.js';

describe('majorUnits', () => {
  it('keeps Stars whole and puts the fraction of other currencies from their minor units', () => {
    expect(majorUnits(250, 'XTR')).toBe('250');
    expect(majorUnits(19_999, 'RUB')).toBe('199.99');
    expect(majorUnits(5, 'USD')).toBe('0.05');
    expect(majorUnits(500, 'JPY')).toBe('500');
  });
});
