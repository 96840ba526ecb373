import { InvalidConfigError } from '@botplatform/service-kit';
import { randomBytes } from 'node:crypto';
import { resolveBotSecrets } from './bot-secrets.js';
import { BotTokenCipherError } from './bot-token-cipher.js';

describe('resolveBotSecrets', () => {
  const key = randomBytes(32).toString('base64');

  it('prefers the options to the environment', () => {
    const secrets = resolveBotSecrets(
      { tokenKeys: `opt:${key}`, operatorToken: 'an-operator-token-1' },
      { BOT_TOKEN_KEYS: `env:${key}`, OPERATOR_API_TOKEN: 'another-operator-token' },
    );
    expect(secrets.cipher.currentKeyId).toBe('opt');
    expect(secrets.operatorToken).toBe('an-operator-token-1');
  });

  it('reads BOT_TOKEN_KEYS and OPERATOR_API_TOKEN from the environment', () => {
    const secrets = resolveBotSecrets(
      {},
      { BOT_TOKEN_KEYS: `new:${randomBytes(32).toString('base64')},old:${key}`, OPERATOR_API_TOKEN: 'env-operator-token-x' },
    );
    expect(secrets.cipher.currentKeyId).toBe('new');
    expect(secrets.operatorToken).toBe('env-operator-token-x');
  });

  it('falls back to the development key and a closed operator API outside production', () => {
    const secrets = resolveBotSecrets({}, {});
    expect(secrets.cipher.currentKeyId).toBe('insecure-dev');
    expect(secrets.operatorToken).toBeUndefined();
  });

  it('refuses to run production without keys, a short operator token and a bad key, naming the variable only', () => {
    expect(() => resolveBotSecrets({}, { NODE_ENV: 'production' })).toThrow(InvalidConfigError);
    expect(() => resolveBotSecrets({}, { NODE_ENV: 'production' })).toThrow(/BOT_TOKEN_KEYS/);
    expect(() => resolveBotSecrets({}, { BOT_TOKEN_KEYS: `k:${key}`, OPERATOR_API_TOKEN: 'short-secret' })).toThrow(/OPERATOR_API_TOKEN/);
    const short = randomBytes(31).toString('base64');
    let error: unknown;
    try {
      resolveBotSecrets({}, { BOT_TOKEN_KEYS: `k:${short}` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BotTokenCipherError);
    expect((error as Error).message).not.toContain(short);
  });
});
