import { createHash } from 'node:crypto';

// A fixed namespace so identity ids are stable across deployments (RFC 4122 name-based, version 5).
const IDENTITY_NAMESPACE = Buffer.from('3b1a7f0e9c6d4c21a8b5d0e4f7a2c913', 'hex');

/**
 * The platform identity of a Telegram user: one id for one person in every bot, derived from the
 * Telegram id so two bots registering the same person at once agree without coordinating.
 */
export function identityIdOf(telegramUserId: number): string {
  const hash = createHash('sha1').update(IDENTITY_NAMESPACE).update(`telegram:${telegramUserId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
