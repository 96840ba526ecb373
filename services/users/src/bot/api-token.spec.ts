import { apiTokenSecretMatches, issueApiToken, parseApiToken, secretsEqual } from './api-token.js';
import { parseBotToken } from './bot-token.js';
import { InvalidBotTokenError } from './bot.errors.js';

describe('API tokens', () => {
  it('are bp_<8-character id>_<43-character secret>, and only the hash of the secret is kept', () => {
    const issued = issueApiToken();
    expect(issued.token).toMatch(/^bp_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiToken(issued.token)!;
    expect(parsed.tokenId).toBe(issued.tokenId);
    expect(issued.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.hash).not.toContain(parsed.secret);
    expect(apiTokenSecretMatches(parsed.secret, issued.hash)).toBe(true);
  });

  it('differ on every issue', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => issueApiToken().token));
    expect(tokens.size).toBe(50);
  });

  it('refuse a wrong secret, a malformed token and a malformed stored hash', () => {
    const issued = issueApiToken();
    const other = parseApiToken(issueApiToken().token)!;
    expect(apiTokenSecretMatches(other.secret, issued.hash)).toBe(false);
    expect(apiTokenSecretMatches(parseApiToken(issued.token)!.secret, 'abc')).toBe(false);
    for (const bad of ['', 'bp_', `${issued.token}x`, issued.token.replace('bp_', 'xx_'), 'Bearer x']) expect(parseApiToken(bad)).toBeNull();
  });

  it('compare operator tokens of any length in constant time', () => {
    expect(secretsEqual('operator-token-123', 'operator-token-123')).toBe(true);
    expect(secretsEqual('operator-token-12', 'operator-token-123')).toBe(false);
    expect(secretsEqual('', 'operator-token-123')).toBe(false);
  });
});

describe('parseBotToken', () => {
  it('returns the Telegram bot id of a BotFather token', () => {
    expect(parseBotToken('123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0')).toEqual({ telegramBotId: 123456789 });
  });

  it('refuses anything else with USERS.INVALID_BOT_TOKEN, without repeating it', () => {
    for (const bad of [
      '',
      '123456789',
      '123456789:short',
      'abc:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0',
      '1:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0!',
      '99999999999999999999:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0',
    ]) {
      let error: unknown;
      try {
        parseBotToken(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidBotTokenError);
      expect((error as InvalidBotTokenError).code).toBe('USERS.INVALID_BOT_TOKEN');
      if (bad) expect((error as Error).message).not.toContain(bad);
    }
  });
});
