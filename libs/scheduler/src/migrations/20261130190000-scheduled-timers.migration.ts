import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/**
 * The durable schedule, in the service's own schema so a timer is written in the same transaction as
 * the event that causes it (ADR 0013):
 * - `(kind, key)` is the timer's identity: scheduling it again is a no-op or a reschedule, never a
 *   second timer;
 * - `locked_until`/`locked_by` are a worker's claim (a lease: another worker may take the timer once it
 *   passes), and after a failure the earliest time of the next attempt;
 * - `fired_at` is set in the transaction of the handler's effects; `parked_at` after the last attempt,
 *   with `last_error`. Neither kind is deleted by the worker before its retention.
 */
export class SchedulerMigration20261130190000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE scheduled_timers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 500),
        due_at timestamptz NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        locked_by text,
        last_error text,
        fired_at timestamptz,
        parked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT scheduled_timers_kind_key_key UNIQUE (kind, key)
      )`);
    // The claim and the next-wake look-up read only pending timers, in due order.
    this.addSql('CREATE INDEX scheduled_timers_pending_idx ON scheduled_timers (due_at) WHERE fired_at IS NULL AND parked_at IS NULL');
    // Retention deletes fired timers oldest first; the backlog counts parked ones.
    this.addSql('CREATE INDEX scheduled_timers_fired_idx ON scheduled_timers (fired_at) WHERE fired_at IS NOT NULL');
    this.addSql('CREATE INDEX scheduled_timers_parked_idx ON scheduled_timers (parked_at) WHERE parked_at IS NOT NULL');
  }

  override down(): void {
    this.addSql('DROP TABLE scheduled_timers');
  }
}

/** The scheduler's migrations, for the `migrations` of every service that schedules timers (after the event store's). */
export const schedulerMigrations: readonly MigrationObject[] = [{ name: 'Migration20261130190000_scheduled_timers', class: SchedulerMigration20261130190000 }];
