import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `secret_token` a bot's webhook is registered with: HMAC-SHA256 of `<botId>:<tokenVersion>` under
 * the gateway's key, in base64url (43 characters of Telegram's allowed `A-Z a-z 0-9 _ -`). Derived, not
 * stored, so every replica computes the same value, and a token rotation changes it.
 */
export function webhookSecretToken(secretKey: string, botId: string, tokenVersion: number): string {
  return createHmac('sha256', secretKey).update(`${botId}:${tokenVersion}`).digest('base64url');
}

/** Compares a received secret header with the expected one in constant time; a missing header never matches. */
export function secretTokenMatches(expected: string, received: string | undefined): boolean {
  const expectedBytes = Buffer.from(expected, 'utf8');
  const receivedBytes = Buffer.from(received ?? '', 'utf8');
  // timingSafeEqual needs equal lengths; comparing the expected value with itself keeps the time the same.
  const same = receivedBytes.length === expectedBytes.length;
  return timingSafeEqual(expectedBytes, same ? receivedBytes : expectedBytes) && same && received !== undefined;
}
