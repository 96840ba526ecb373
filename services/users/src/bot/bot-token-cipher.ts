import { SecretSealer, SecretSealerError } from '@botplatform/service-kit';
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

/**
 * A fixed, public key for development and tests only: anyone can read tokens sealed with it. Used when
 * the embedded platform runs without `BOT_TOKEN_KEYS`, with a warning.
 */
export const INSECURE_DEVELOPMENT_TOKEN_KEYS = 'insecure-dev:ZGV2LW9ubHktaW5zZWN1cmUtYm90LXRva2VuLWtleSE=';

/**
 * Seals Telegram bot tokens with AES-256-GCM (`SecretSealer` of @botplatform/service-kit, which payments
 * also seals its providers' keys with): a random 12-byte IV per token, a 16-byte tag, and the id of the
 * key stored beside the ciphertext. Keys come from `BOT_TOKEN_KEYS`, `<keyId>:<base64 32 bytes>`
 * separated by commas, newest first: the first key seals, every listed key opens. Rotating the key is
 * prepending a new one; tokens sealed with an older key still open and need no re-encryption.
 */
export class BotTokenCipher {
  private constructor(private readonly sealer: SecretSealer) {}

  /** The id of the key that seals new tokens. */
  get currentKeyId(): string {
    return this.sealer.currentKeyId;
  }

  /** Parses `BOT_TOKEN_KEYS`; throws BotTokenCipherError (USERS.TOKEN_KEYS_INVALID) naming the bad entry by position and id only. */
  static fromKeyList(keyList: string): BotTokenCipher {
    return new BotTokenCipher(asTokenError(() => SecretSealer.fromKeyList(keyList, 'BOT_TOKEN_KEYS')));
  }

  /** The insecure development key (INSECURE_DEVELOPMENT_TOKEN_KEYS). Never for production. */
  static forDevelopment(): BotTokenCipher {
    return BotTokenCipher.fromKeyList(INSECURE_DEVELOPMENT_TOKEN_KEYS);
  }

  /** Seals a token with the current key. */
  encrypt(token: string): EncryptedToken {
    return this.sealer.seal(token);
  }

  /**
   * Opens a sealed token with the key it names. Throws BotTokenCipherError: USERS.TOKEN_KEY_UNKNOWN when
   * that key is no longer configured, USERS.TOKEN_UNREADABLE when the data was altered.
   */
  decrypt(sealed: EncryptedToken): string {
    return asTokenError(() => this.sealer.open(sealed));
  }
}

const TOKEN_CODES = {
  'SECRETS.KEYS_INVALID': 'USERS.TOKEN_KEYS_INVALID',
  'SECRETS.KEY_UNKNOWN': 'USERS.TOKEN_KEY_UNKNOWN',
  'SECRETS.UNREADABLE': 'USERS.TOKEN_UNREADABLE',
} as const;

/** The sealer's errors under the users service's codes (the message, which holds no key material, kept). */
function asTokenError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SecretSealerError) throw new BotTokenCipherError(TOKEN_CODES[error.code], error.message);
    throw error;
  }
}
