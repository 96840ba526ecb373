import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses: lower-case letters, digits and `_`, valid as a PostgreSQL identifier,
 * a NATS subject token and (upper-cased) a JetStream stream name.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.toLowerCase();
}
