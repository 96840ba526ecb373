import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Settles a broadcast recipient from the gateway's outcome of its message (`gateway.message.delivered` /
 * `delivery_failed`, by request id): `sent`, `blocked` (a 403) or `failed`. Any other request id matches
 * no row; a redelivered outcome finds the row settled and changes nothing.
 */
export async function settleBroadcastRecipient(em: EntityManager, requestId: string, outcome: 'sent' | 'blocked' | 'failed', now: Date): Promise<void> {
  await runSql(em, "UPDATE notifications.notification_broadcast_recipients SET state = $2, settled_at = $3 WHERE request_id = $1 AND state = 'requested'", [
    requestId,
    outcome,
    now,
  ]);
}
