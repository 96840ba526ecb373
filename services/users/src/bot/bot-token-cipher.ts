import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptedToken } from './bot.decider.js';

/** The key configuration or a sealed token is unusable. Messages never include key material or tokens. */
export class BotTokenCipherError extends Error {
  constructor(
    readonly code: 'USERS.TOKEN_KEYS_INVALID' | 'USERS.TOKEN_KEY_UNKNOWN' | 'USERS.TOKEN_UNREADABLE',
    message: string,
  ) {
    super(message);
    this.name = 'BotTokenCipherError';
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A fixed, public key for development and tests only: anyone can read tokens sealed with it. Used when
 * the embedded platform runs without `BOT_TOKEN_KEYS`, with a warning.
 */
export const INSECURE_DEVELOPMENT_TOKEN_KEYS = 'insecure-dev:ZGV2LW9ubHktaW5zZWN1cmUtYm90LXRva2VuLWtleSE=';

/**
 * Seals Telegram bot tokens with AES-256-GCM: a random 12-byte IV per token, a 16-byte tag, and the id
 * of the key stored beside the ciphertext. Keys come from `BOT_TOKEN_KEYS`, `<keyId>:<base64 32 bytes>`
 * separated by commas, newest first: the first key seals, every listed key opens. Rotating the key is
 * prepending a new one; tokens sealed with an older key still open and need no re-encryption.
 */
export class BotTokenCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  /** The id of the key that seals new tokens. */
  readonly currentKeyId: string;

  private constructor(keys: Map<string, Buffer>, currentKeyId: string) {
    this.keys = keys;
    this.currentKeyId = currentKeyId;
  }

  /** Parses `BOT_TOKEN_KEYS`; throws BotTokenCipherError (USERS.TOKEN_KEYS_INVALID) naming the bad entry by position and id only. */
  static fromKeyList(keyList: string): BotTokenCipher {
    const entries = keyList
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.length === 0) throw new BotTokenCipherError('USERS.TOKEN_KEYS_INVALID', 'BOT_TOKEN_KEYS has no key');
    const keys = new Map<string, Buffer>();
    entries.forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const keyId = colon < 0 ? '' : entry.slice(0, colon);
      const where = `BOT_TOKEN_KEYS entry ${index + 1}`;
      if (!KEY_ID.test(keyId)) {
        throw new BotTokenCipherError('USERS.TOKEN_KEYS_INVALID', `${where}: expected <keyId>:<base64 key> with a key id of 1-32 letters, digits, _ or -`);
      }
      const encoded = entry.slice(colon + 1);
      const key = Buffer.from(encoded, 'base64');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
        throw new BotTokenCipherError('USERS.TOKEN_KEYS_INVALID', `${where} (key id ${keyId}): the key must be 32 bytes in base64`);
      }
      if (keys.has(keyId)) throw new BotTokenCipherError('USERS.TOKEN_KEYS_INVALID', `${where}: key id ${keyId} is listed twice`);
      keys.set(keyId, key);
    });
    return new BotTokenCipher(keys, keys.keys().next().value!);
  }

  /** The insecure development key (INSECURE_DEVELOPMENT_TOKEN_KEYS). Never for production. */
  static forDevelopment(): BotTokenCipher {
    return BotTokenCipher.fromKeyList(INSECURE_DEVELOPMENT_TOKEN_KEYS);
  }

  /** Seals a token with the current key. */
  encrypt(token: string): EncryptedToken {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return {
      keyId: this.currentKeyId,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /**
   * Opens a sealed token with the key it names. Throws BotTokenCipherError: USERS.TOKEN_KEY_UNKNOWN when
   * that key is no longer configured, USERS.TOKEN_UNREADABLE when the data was altered.
   */
  decrypt(sealed: EncryptedToken): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new BotTokenCipherError('USERS.TOKEN_KEY_UNKNOWN', `the token was sealed with key ${sealed.keyId}, which BOT_TOKEN_KEYS does not list`);
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new BotTokenCipherError('USERS.TOKEN_UNREADABLE', 'the sealed token is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new BotTokenCipherError('USERS.TOKEN_UNREADABLE', 'the sealed token failed authentication (altered, or a different key under the same id)');
    }
  }
}
