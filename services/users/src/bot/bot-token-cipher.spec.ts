import { randomBytes } from 'node:crypto';
import { BotTokenCipher, BotTokenCipherError } from './bot-token-cipher.js';

const key = () => randomBytes(32).toString('base64');
const TOKEN = '123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0';

const failure = (work: () => unknown): BotTokenCipherError => {
  try {
    work();
  } catch (error) {
    if (error instanceof BotTokenCipherError) return error;
    throw error;
  }
  throw new Error('expected a BotTokenCipherError');
};

describe('BotTokenCipher', () => {
  const k1 = key();
  const cipher = BotTokenCipher.fromKeyList(`k1:${k1}`);

  it('opens what it sealed, with a fresh 12-byte IV and a 16-byte tag each time, naming its key', () => {
    const a = cipher.encrypt(TOKEN);
    const b = cipher.encrypt(TOKEN);
    expect(cipher.decrypt(a)).toBe(TOKEN);
    expect(a.keyId).toBe('k1');
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.tag, 'base64')).toHaveLength(16);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(JSON.stringify(a)).not.toContain(TOKEN.split(':')[1]);
  });

  it('refuses a token sealed with a key it does not have', () => {
    const other = BotTokenCipher.fromKeyList(`k9:${key()}`);
    expect(failure(() => cipher.decrypt(other.encrypt(TOKEN))).code).toBe('USERS.TOKEN_KEY_UNKNOWN');
  });

  it('refuses a tampered ciphertext, tag or IV, and a different key under the same id', () => {
    const sealed = cipher.encrypt(TOKEN);
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };
    expect(failure(() => cipher.decrypt({ ...sealed, ciphertext: flip(sealed.ciphertext) })).code).toBe('USERS.TOKEN_UNREADABLE');
    expect(failure(() => cipher.decrypt({ ...sealed, tag: flip(sealed.tag) })).code).toBe('USERS.TOKEN_UNREADABLE');
    expect(failure(() => cipher.decrypt({ ...sealed, iv: flip(sealed.iv) })).code).toBe('USERS.TOKEN_UNREADABLE');
    expect(failure(() => cipher.decrypt({ ...sealed, tag: 'c2hvcnQ=' })).code).toBe('USERS.TOKEN_UNREADABLE');
    const impostor = BotTokenCipher.fromKeyList(`k1:${key()}`);
    expect(failure(() => impostor.decrypt(sealed)).code).toBe('USERS.TOKEN_UNREADABLE');
  });

  it('after a key rotation seals with the new key and still opens tokens sealed with the old one, unchanged', () => {
    const old = cipher.encrypt(TOKEN);
    const rotated = BotTokenCipher.fromKeyList(`k2:${key()}, k1:${k1}`);
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.decrypt(old)).toBe(TOKEN);
    const fresh = rotated.encrypt(TOKEN);
    expect(fresh.keyId).toBe('k2');
    expect(rotated.decrypt(fresh)).toBe(TOKEN);
  });

  it('validates the key list at construction without ever printing a key', () => {
    const short = randomBytes(16).toString('base64');
    const cases = ['', ' , ', `k1${k1}`, `k1:${short}`, `k1:not base64!`, `bad id!:${k1}`, `k1:${k1},k1:${key()}`];
    for (const list of cases) {
      const error = failure(() => BotTokenCipher.fromKeyList(list));
      expect(error.code).toBe('USERS.TOKEN_KEYS_INVALID');
      expect(error.message).not.toContain(k1);
      expect(error.message).not.toContain(short);
    }
    expect(failure(() => BotTokenCipher.fromKeyList(`k1:${short}`)).message).toMatch(/entry 1 \(key id k1\).*32 bytes/);
  });

  it('has a development key that works but says it is insecure', () => {
    const dev = BotTokenCipher.forDevelopment();
    expect(dev.currentKeyId).toBe('insecure-dev');
    expect(dev.decrypt(dev.encrypt(TOKEN))).toBe(TOKEN);
  });
});
