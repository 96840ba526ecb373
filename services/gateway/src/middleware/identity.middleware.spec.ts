import { describe, expect, it } from '@jest/globals';
import { profileOf, startPayloadOf } from './identity.middleware.js';

describe('The identity middleware', () => {
  describe('startPayloadOf', () => {
    it.each([
      ['/start ref42', 'ref42'],
      ['/start campaign_7-b', 'campaign_7-b'],
      ['/start@shop_bot ref42', 'ref42'],
      ['/start@SHOP_BOT ref42', 'ref42'],
    ])('reads the deep-link payload of %s', (text, payload) => {
      expect(startPayloadOf(text, 'shop_bot')).toBe(payload);
    });

    it.each([
      ['/start'],
      ['/start@other_bot ref42'],
      ['/help ref42'],
      ['hello /start ref42'],
      ['/start not allowed!'],
      [`/start ${'x'.repeat(65)}`],
      [undefined],
    ])('finds none in %s', (text) => {
      expect(startPayloadOf(text, 'shop_bot')).toBeUndefined();
    });
  });

  describe('profileOf', () => {
    it('keeps what the users service accepts and leaves out the rest', () => {
      expect(
        profileOf({ id: 1, is_bot: false, first_name: 'A'.repeat(80), last_name: '', username: 'bad name', language_code: 'pt-BR', is_premium: true }),
      ).toEqual({ firstName: 'A'.repeat(64), lastName: undefined, username: undefined, languageCode: 'pt-br', isPremium: true });
      expect(profileOf({ id: 1, is_bot: false, first_name: 'Ann', language_code: 'x' })).toMatchObject({ languageCode: undefined, isPremium: false });
    });
  });
});
