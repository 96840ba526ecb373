import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTimerError } from './scheduler.errors.js';
import { timerTableOf } from './timer-table.js';

/** A timer to schedule: `(kind, key)` is its identity, so the same timer scheduled twice is one timer. */
export interface TimerSpec<Payload = unknown> {
  /** What the timer is for; the worker runs the handler registered for it (`subscription.expire`). */
  readonly kind: string;
  /** Which one of its kind (`<subscriptionId>:<periodEnd>`): put in it whatever must not fire twice. */
  readonly key: string;
  /** Not fired before this instant (the database's clock decides). */
  readonly dueAt: Date;
  /** Handed to the handler as it was stored (JSON). */
  readonly payload?: Payload;
}

/**
 * What scheduling a `(kind, key)` that exists already does:
 * - `keep` (default): nothing; the first schedule stands, fired or not. A redelivered event schedules
 *   nothing new;
 * - `replace`: the timer takes the new due time and payload and is pending again with no attempts,
 *   even if it fired or was parked (an extension moving the expiry, a periodic check re-arming itself
 *   from its own handler).
 */
export type OnExistingTimer = 'keep' | 'replace';

export interface ScheduleTimerOptions {
  readonly ifExists?: OnExistingTimer;
  /** The schema of the timer table; default the one `em`'s ORM was opened on. */
  readonly schema?: string;
}

const MAX_KIND = 100;
const MAX_KEY = 500;

/**
 * Schedules a timer through `em`, inside its transaction when it has one: the timer exists exactly if
 * that transaction commits (the append of the event that causes it, a consumer's effect). Returns true
 * when a timer was written (created, or replaced), false when `keep` found one.
 */
export async function scheduleTimer(em: EntityManager, timer: TimerSpec, options: ScheduleTimerOptions = {}): Promise<boolean> {
  return (await scheduleTimers(em, [timer], options)) === 1;
}

/**
 * Several timers in one statement (a projection applying a batch of events, a bulk import). The same
 * `(kind, key)` twice in one call counts once: the last one wins under `replace`, the first under `keep`.
 * Returns how many timers were written.
 */
export async function scheduleTimers(em: EntityManager, timers: readonly TimerSpec[], options: ScheduleTimerOptions = {}): Promise<number> {
  const table = timerTableOf(em, options.schema);
  const replace = (options.ifExists ?? 'keep') === 'replace';
  const unique = new Map<string, { kind: string; key: string; dueAt: Date; payload: string }>();
  for (const timer of timers) {
    const row = validated(timer);
    const id = JSON.stringify([row.kind, row.key]);
    if (replace) unique.delete(id);
    if (replace || !unique.has(id)) unique.set(id, row);
  }
  if (unique.size === 0) return 0;
  const rows = [...unique.values()];
  // A row may be updated only once per statement, hence the de-duplication above.
  const onConflict = replace
    ? `DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, attempts = 0, locked_until = NULL, locked_by = NULL,
         last_error = NULL, fired_at = NULL, parked_at = NULL, updated_at = now()`
    : 'DO NOTHING';
  const written = await runSql<{ id: string }>(
    em,
    `INSERT INTO ${table} (kind, key, due_at, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[])
     ON CONFLICT (kind, key) ${onConflict}
     RETURNING id`,
    [rows.map((r) => r.kind), rows.map((r) => r.key), rows.map((r) => r.dueAt.toISOString()), rows.map((r) => r.payload)],
  );
  return written.length;
}

/**
 * Cancels a pending timer through `em` (inside its transaction when it has one). A timer that fired
 * already stays as it was (its effect happened); one a worker is firing right now is waited for, and
 * then counts as fired. Returns true when a pending timer was removed.
 */
export async function cancelTimer(em: EntityManager, kind: string, key: string, options: { readonly schema?: string } = {}): Promise<boolean> {
  const table = timerTableOf(em, options.schema);
  const removed = await runSql<{ id: string }>(em, `DELETE FROM ${table} WHERE kind = $1 AND key = $2 AND fired_at IS NULL RETURNING id`, [kind, key]);
  return removed.length > 0;
}

function validated(timer: TimerSpec): { kind: string; key: string; dueAt: Date; payload: string } {
  const { kind, key, dueAt } = timer ?? {};
  if (typeof kind !== 'string' || kind.length === 0 || kind.length > MAX_KIND) {
    throw new InvalidTimerError(`a timer's kind must be 1-${MAX_KIND} characters`);
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY) {
    throw new InvalidTimerError(`timer ${kind}: the key must be 1-${MAX_KEY} characters`);
  }
  if (!(dueAt instanceof Date) || Number.isNaN(dueAt.getTime())) throw new InvalidTimerError(`timer ${kind}/${key}: dueAt must be a valid date`);
  let payload: string | undefined;
  try {
    payload = JSON.stringify(timer.payload ?? {});
  } catch (error) {
    throw new InvalidTimerError(`timer ${kind}/${key}: the payload is not JSON (${(error as Error).message})`);
  }
  if (payload === undefined) throw new InvalidTimerError(`timer ${kind}/${key}: the payload is not JSON`);
  return { kind, key, dueAt, payload };
}
