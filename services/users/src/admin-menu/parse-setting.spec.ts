import { describe, expect, it } from '@jest/globals';
import { parseSetting } from './parse-setting.js';

describe('parseSetting', () => {
  it.each([
    ['timezone="Europe/Berlin"', { key: 'timezone', valueJson: '"Europe/Berlin"', type: 'SETTING_TYPE_STRING' }],
    ['quota.daily.user = 20', { key: 'quota.daily.user', valueJson: '20', type: 'SETTING_TYPE_INT' }],
    ['shop.open=true', { key: 'shop.open', valueJson: 'true', type: 'SETTING_TYPE_BOOL' }],
    ['shop.rate=1.5', { key: 'shop.rate', valueJson: '1.5', type: 'SETTING_TYPE_JSON' }],
    ['shop.hours={"from": 9}', { key: 'shop.hours', valueJson: '{"from":9}', type: 'SETTING_TYPE_JSON' }],
  ])('reads %s', (input, expected) => {
    expect(parseSetting(input)).toEqual(expected);
  });

  it.each([['timezone'], ['=20'], ['Timezone=1'], ['timezone=Europe/Berlin'], ['timezone=']])('refuses %s', (input) => {
    expect(parseSetting(input)).toBeUndefined();
  });
});
