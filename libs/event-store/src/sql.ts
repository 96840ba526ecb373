import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery, type QueryResult } from 'kysely';

interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * Runs parameterised SQL (`$1`, `$2`…) on MikroORM's connection, inside the entity manager's open
 * transaction when it has one. MikroORM's own `execute` inlines parameters into the SQL text; this
 * sends them to PostgreSQL separately, as prepared parameters.
 */
export async function runSql<Row>(em: EntityManager, sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
  const transaction = em.getTransactionContext<Executor & Parameters<EntityManager['setTransactionContext']>[0]>();
  const executor = transaction ?? (em.getConnection().getClient() as Executor);
  const result = await executor.executeQuery(CompiledQuery.raw(sql, [...parameters]) as CompiledQuery<Row>);
  return result.rows;
}
