import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The header Crypto Pay signs its webhook calls with. */
export const CRYPTO_PAY_SIGNATURE_HEADER = 'crypto-pay-api-signature';

/** Crypto Pay's signature of a webhook body: hex HMAC-SHA256 of the raw bytes, keyed by SHA-256 of the app's API token. */
export function signCryptoPayBody(body: Buffer, apiToken: string): string {
  const key = createHash('sha256').update(apiToken, 'utf8').digest();
  return createHmac('sha256', key).update(body).digest('hex');
}

/** Whether `signature` is the body's, compared in constant time (a missing or malformed header is simply false). */
export function isCryptoPaySignatureValid(body: Buffer, signature: string | undefined, apiToken: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signCryptoPayBody(body, apiToken), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
