import { secretTokenMatches, webhookSecretToken } from './webhook-secret.js';

const KEY = 'k'.repeat(32);
const BOT = '11111111-1111-4111-8111-111111111111';

describe('webhookSecretToken', () => {
  it("uses only Telegram's secret_token characters, within its 1–256 length", () => {
    const secret = webhookSecretToken(KEY, BOT, 1);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
  });

  it('is the same for the same bot and token version, so every replica agrees', () => {
    expect(webhookSecretToken(KEY, BOT, 3)).toBe(webhookSecretToken(KEY, BOT, 3));
  });

  it('changes with the token version, the bot and the key', () => {
    const base = webhookSecretToken(KEY, BOT, 1);
    expect(webhookSecretToken(KEY, BOT, 2)).not.toBe(base);
    expect(webhookSecretToken(KEY, '22222222-2222-4222-8222-222222222222', 1)).not.toBe(base);
    expect(webhookSecretToken('x'.repeat(32), BOT, 1)).not.toBe(base);
  });
});

describe('secretTokenMatches', () => {
  const expected = webhookSecretToken(KEY, BOT, 1);

  it('accepts the exact secret', () => {
    expect(secretTokenMatches(expected, expected)).toBe(true);
  });

  it('refuses a missing, empty, shorter, longer or different secret', () => {
    expect(secretTokenMatches(expected, undefined)).toBe(false);
    expect(secretTokenMatches(expected, '')).toBe(false);
    expect(secretTokenMatches(expected, expected.slice(1))).toBe(false);
    expect(secretTokenMatches(expected, `${expected}x`)).toBe(false);
    expect(secretTokenMatches(expected, webhookSecretToken(KEY, BOT, 2))).toBe(false);
  });
});
