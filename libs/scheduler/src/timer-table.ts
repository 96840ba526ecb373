import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTimerError } from './scheduler.errors.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `"<schema>".scheduled_timers` of the given schema, or of the schema `em`'s ORM was opened on. */
export function timerTableOf(em: EntityManager, schema?: string): string {
  const name = schema ?? em.config.get('schema');
  if (!name || !IDENTIFIER.test(name)) throw new InvalidTimerError(`invalid schema name for the timer table: ${String(name)}`);
  return `"${name}".scheduled_timers`;
}

// MikroORM's pool leaves timestamps as PostgreSQL text; JSON's ISO 8601 form parses everywhere.
export const isoTimestamp = (column: string, as = column) => `to_json(${column}) #>> '{}' AS ${as}`;
