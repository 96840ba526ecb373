import { createServiceOrm, eventStoreMigrations, runSql } from '@botplatform/event-store';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { schedulerMigrations } from '../migrations/20261130190000-scheduled-timers.migration.js';
import type { TimerHandler } from '../timer-worker.js';

/**
 * One replica of a service that schedules timers: its own ORM (pool) on the test's database, with the
 * event store's and the scheduler's migrations, and an `effects` table handlers write to.
 */
export async function openReplica(databaseUrl: string, schema: string, poolSize = 8): Promise<MikroORM> {
  const orm = await createServiceOrm({ clientUrl: databaseUrl, schema, migrations: [...eventStoreMigrations, ...schedulerMigrations], poolSize });
  await orm.em.getConnection().execute(`
    CREATE TABLE IF NOT EXISTS "${schema}".effects (
      id bigserial PRIMARY KEY,
      timer_id uuid NOT NULL,
      kind text NOT NULL,
      key text NOT NULL,
      written_by text NOT NULL,
      written_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
  return orm;
}

/** A handler whose effect is one `effects` row, written in the timer's transaction. */
export function effectHandler(kind: string, writtenBy: string, options: Partial<TimerHandler> = {}): TimerHandler {
  return {
    kind,
    handle: (timer, { em }) => writeEffect(em, timer, writtenBy),
    ...options,
  };
}

export async function writeEffect(em: EntityManager, timer: { id: string; kind: string; key: string }, writtenBy: string): Promise<void> {
  await runSql(em, `INSERT INTO "${em.config.get('schema')}".effects (timer_id, kind, key, written_by) VALUES ($1, $2, $3, $4)`, [
    timer.id,
    timer.kind,
    timer.key,
    writtenBy,
  ]);
}

export interface TimerRow {
  id: string;
  kind: string;
  key: string;
  due_at: Date;
  payload: unknown;
  attempts: number;
  locked_until: Date | null;
  locked_by: string | null;
  last_error: string | null;
  fired_at: Date | null;
  parked_at: Date | null;
}

export async function timerRows(em: EntityManager, where = 'true', parameters: unknown[] = []): Promise<TimerRow[]> {
  const rows = await runSql<Record<string, unknown>>(
    em,
    `SELECT id, kind, key, payload, attempts, locked_by, last_error,
       to_json(due_at) #>> '{}' AS due_at, to_json(locked_until) #>> '{}' AS locked_until,
       to_json(fired_at) #>> '{}' AS fired_at, to_json(parked_at) #>> '{}' AS parked_at
     FROM "${em.config.get('schema')}".scheduled_timers WHERE ${where} ORDER BY due_at, key`,
    parameters,
  );
  const date = (value: unknown) => (value === null ? null : new Date(value as string));
  return rows.map(
    (r) => ({ ...r, due_at: date(r.due_at)!, locked_until: date(r.locked_until), fired_at: date(r.fired_at), parked_at: date(r.parked_at) }) as TimerRow,
  );
}

export interface EffectRow {
  timer_id: string;
  kind: string;
  key: string;
  written_by: string;
  written_at: Date;
}

export async function effectRows(em: EntityManager, where = 'true', parameters: unknown[] = []): Promise<EffectRow[]> {
  const rows = await runSql<Record<string, unknown>>(
    em,
    `SELECT timer_id, kind, key, written_by, to_json(written_at) #>> '{}' AS written_at FROM "${em.config.get('schema')}".effects WHERE ${where} ORDER BY id`,
    parameters,
  );
  return rows.map((r) => ({ ...r, written_at: new Date(r.written_at as string) }) as EffectRow);
}

/** The database's clock: due times in tests are set from it, as the worker compares against it. */
export async function databaseNow(em: EntityManager): Promise<Date> {
  const [row] = await runSql<{ now: string }>(em, `SELECT to_json(clock_timestamp()) #>> '{}' AS now`);
  return new Date(row.now);
}
