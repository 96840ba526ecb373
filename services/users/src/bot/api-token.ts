import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A freshly issued admin API token: `token` is shown once, only `tokenId` and `hash` are kept. */
export interface IssuedApiToken {
  readonly token: string;
  readonly tokenId: string;
  readonly hash: string;
}

const API_TOKEN = /^bp_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
const TOKEN_ID_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * Issues an API token `bp_<tokenId>_<secret>`: the id (8 characters) finds the row, the secret is 32
 * random bytes in base64url.
 *
 * The secret is stored as a plain SHA-256: with 256 bits of randomness there is nothing to guess, so a
 * slow password KDF (bcrypt, scrypt) would only slow down every request without adding safety.
 */
export function issueApiToken(): IssuedApiToken {
  const idBytes = randomBytes(8);
  const tokenId = Array.from(idBytes, (b) => TOKEN_ID_ALPHABET[b % TOKEN_ID_ALPHABET.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { token: `bp_${tokenId}_${secret}`, tokenId, hash: hashApiTokenSecret(secret) };
}

/** SHA-256 of a token's secret, hex. */
export function hashApiTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Splits a presented token into id and secret; null when it is not shaped like an API token. */
export function parseApiToken(token: string): { tokenId: string; secret: string } | null {
  const match = API_TOKEN.exec(token);
  return match ? { tokenId: match[1], secret: match[2] } : null;
}

/** Compares a presented secret with a stored hash in constant time. */
export function apiTokenSecretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiTokenSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/** Constant-time equality of two arbitrary strings (e.g. the operator token), through their SHA-256 hashes. */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
