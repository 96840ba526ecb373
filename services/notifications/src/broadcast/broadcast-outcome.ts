import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';

/** A broadcast recipient's outcome, from the gateway's outcome of its message (by request id). */
export interface RecipientOutcome {
  readonly requestId: string;
  readonly outcome: 'sent' | 'blocked' | 'failed';
}

/**
 * Settles broadcast recipients from the gateway's outcomes of their messages (`gateway.message.delivered` /
 * `delivery_failed`, by request id): `sent`, `blocked` (a 403) or `failed`, in one statement. Any other
 * request id matches no row; a redelivered outcome finds the row settled and changes nothing (of two
 * outcomes of one request in a run, the first counts, as it would one at a time).
 */
export async function settleBroadcastRecipients(em: EntityManager, outcomes: readonly RecipientOutcome[], now: Date): Promise<void> {
  const first = new Map<string, RecipientOutcome['outcome']>();
  for (const { requestId, outcome } of outcomes) if (!first.has(requestId)) first.set(requestId, outcome);
  if (!first.size) return;
  await runSql(
    em,
    `UPDATE notifications.notification_broadcast_recipients r SET state = o.state, settled_at = $3
       FROM unnest($1::uuid[], $2::text[]) AS o(request_id, state)
      WHERE r.request_id = o.request_id AND r.state = 'requested'`,
    [[...first.keys()], [...first.values()], now],
  );
}
