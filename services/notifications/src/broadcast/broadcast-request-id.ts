import { createHash } from 'node:crypto';

/**
 * The idempotency key of one broadcast message: a name-based UUID (version 5 layout) of the broadcast and
 * the member, so whoever asks again for the same member's message (a restarted sender, a replica) asks
 * with the same request id, and the outbound path and the gateway make it one message.
 */
export function broadcastRequestId(broadcastId: string, telegramUserId: number | string): string {
  const hash = createHash('sha1').update(`notifications-broadcast:${broadcastId}:${telegramUserId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
