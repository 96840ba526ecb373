import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery, type QueryResult } from 'kysely';
import pg, { type QueryResultRow } from 'pg';

interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * Runs parameterised SQL (`$1`, `$2`…) on MikroORM's connection, inside the entity manager's open
 * transaction when it has one. MikroORM's own `execute` inlines parameters into the SQL text; this
 * sends them to PostgreSQL separately.
 *
 * `preparedAs` names a hot statement outside transactions: PostgreSQL then parses and plans it once per
 * connection instead of on every call (it doubled single-event appends in the bench). The name must
 * stand for one SQL text only.
 */
export async function runSql<Row>(
  em: EntityManager,
  sql: string,
  parameters: readonly unknown[] = [],
  { preparedAs }: { preparedAs?: string } = {},
): Promise<Row[]> {
  const transaction = em.getTransactionContext<Executor & Parameters<EntityManager['setTransactionContext']>[0]>();
  if (!transaction && preparedAs) {
    const pool = await em.getConnection().getNativeClient();
    return (await pool.query<Row & QueryResultRow>({ name: preparedAs, text: sql, values: [...parameters] })).rows;
  }
  const executor = transaction ?? (em.getConnection().getClient() as Executor);
  const result = await executor.executeQuery(CompiledQuery.raw(sql, [...parameters]) as CompiledQuery<Row>);
  return result.rows;
}

/**
 * A string as an SQL literal, for the few statements built without parameters so that they can travel
 * with their transaction's BEGIN in one simple query (see `deferBegin`). Never for anything else.
 */
export function sqlLiteral(value: string): string {
  return pg.escapeLiteral(value);
}
