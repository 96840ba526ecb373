import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A secret sealed with AES-256-GCM, with the id of the key that sealed it. All parts in base64. */
export interface SealedSecret {
  readonly keyId: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/** The key list or a sealed secret is unusable. Messages name the variable and key ids, never key material or secrets. */
export class SecretSealerError extends Error {
  constructor(
    readonly code: 'SECRETS.KEYS_INVALID' | 'SECRETS.KEY_UNKNOWN' | 'SECRETS.UNREADABLE',
    message: string,
  ) {
    super(message);
    this.name = 'SecretSealerError';
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secrets kept in a database (bot tokens, payment providers' keys) with AES-256-GCM: a random
 * 12-byte IV per secret, a 16-byte tag, the key's id beside the ciphertext. Keys are a list
 * `<keyId>:<base64 32 bytes>` separated by commas, newest first: the first seals, every listed key
 * opens, so a rotation prepends a key and nothing needs re-sealing. `context` (additional authenticated
 * data) binds a secret to its owner: a sealed value copied to another row (another bot) does not open.
 */
export class SecretSealer {
  private constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    /** The id of the key that seals new secrets. */
    readonly currentKeyId: string,
  ) {}

  /** Parses a key list; `variable` names it in errors (e.g. `BOT_TOKEN_KEYS`). Throws SECRETS.KEYS_INVALID naming the entry by position and id only. */
  static fromKeyList(keyList: string, variable: string): SecretSealer {
    const entries = keyList
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.length === 0) throw new SecretSealerError('SECRETS.KEYS_INVALID', `${variable} has no key`);
    const keys = new Map<string, Buffer>();
    entries.forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const keyId = colon < 0 ? '' : entry.slice(0, colon);
      const where = `${variable} entry ${index + 1}`;
      if (!KEY_ID.test(keyId)) {
        throw new SecretSealerError('SECRETS.KEYS_INVALID', `${where}: expected <keyId>:<base64 key> with a key id of 1-32 letters, digits, _ or -`);
      }
      const encoded = entry.slice(colon + 1);
      const key = Buffer.from(encoded, 'base64');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
        throw new SecretSealerError('SECRETS.KEYS_INVALID', `${where} (key id ${keyId}): the key must be 32 bytes in base64`);
      }
      if (keys.has(keyId)) throw new SecretSealerError('SECRETS.KEYS_INVALID', `${where}: key id ${keyId} is listed twice`);
      keys.set(keyId, key);
    });
    return new SecretSealer(keys, keys.keys().next().value!);
  }

  /** Seals with the current key; `context` must be given again to open it. */
  seal(secret: string, context = ''): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv, { authTagLength: TAG_BYTES });
    if (context) cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  }

  /** Opens with the key it names: SECRETS.KEY_UNKNOWN when that key is no longer listed, SECRETS.UNREADABLE when altered or under another context. */
  open(sealed: SealedSecret, context = ''): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new SecretSealerError('SECRETS.KEY_UNKNOWN', `the secret was sealed with key ${sealed.keyId}, which is no longer listed`);
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretSealerError('SECRETS.UNREADABLE', 'the sealed secret is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      if (context) decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretSealerError(
        'SECRETS.UNREADABLE',
        'the sealed secret failed authentication (altered, sealed for another owner, or a different key under the same id)',
      );
    }
  }
}
