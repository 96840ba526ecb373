import { describe, expect, it } from '@jest/globals';
import { CALLBACK_DATA_MAX_BYTES, CallbackData, CallbackDataTooLongError } from './callback-data.js';

describe('CallbackData', () => {
  const buttons = new CallbackData('adm');

  it('round-trips an action with its arguments', () => {
    const data = buttons.encode('ft', 1, 'payments.stars');
    expect(data).toBe('adm:ft:1:payments.stars');
    expect(buttons.decode(data)).toEqual({ action: 'ft', args: ['1', 'payments.stars'] });
    expect(buttons.decode(buttons.encode('menu'))).toEqual({ action: 'menu', args: [] });
  });

  it("ignores another feature's data", () => {
    expect(buttons.decode('lang:set:ru')).toBeUndefined();
    expect(buttons.decode('admx:menu')).toBeUndefined();
    expect(buttons.decode('adm:')).toBeUndefined();
    expect(buttons.decode(undefined)).toBeUndefined();
    expect(buttons.pattern.test('adm:menu')).toBe(true);
    expect(buttons.pattern.test('lang:set:ru')).toBe(false);
  });

  it('refuses data over 64 bytes, counting UTF-8 bytes', () => {
    const longest = 'a'.repeat(CALLBACK_DATA_MAX_BYTES - 'adm:x:'.length);
    expect(buttons.encode('x', longest)).toHaveLength(64);
    expect(() => buttons.encode('x', `${longest}a`)).toThrow(CallbackDataTooLongError);
    expect(buttons.fits('x', 'я'.repeat(29))).toBe(true);
    expect(buttons.fits('x', 'я'.repeat(30))).toBe(false);
  });
});
