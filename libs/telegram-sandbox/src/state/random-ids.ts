import { createHash, randomBytes } from 'node:crypto';

/** A large decimal id as Telegram uses for callback and pre-checkout queries. */
export function randomNumericId(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString()
    .slice(0, 19);
}

/** `chat_instance` is stable per chat and opaque; a hash of the conversation key is both. */
export function chatInstanceFor(conversationKey: string): string {
  const hash = createHash('sha256').update(conversationKey).digest();
  return (-BigInt.asIntN(64, hash.readBigInt64BE(0))).toString();
}

/** Telegram Stars charge ids start with "stx". */
export function starChargeId(): string {
  return `stx${randomBytes(36).toString('base64url')}`;
}
