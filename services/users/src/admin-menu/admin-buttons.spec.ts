import { describe, expect, it } from '@jest/globals';
import { adminButtons } from './admin-menu.feature.js';

describe('The admin menu buttons', () => {
  it("fit Telegram's 64 bytes with the largest one (a member id at Telegram's 52-bit limit, under an outcome)", () => {
    expect(adminButtons.encode('unb', String(2 ** 52), 'k').length).toBeLessThan(64);
  });
});
