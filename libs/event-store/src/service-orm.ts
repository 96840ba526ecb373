import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import type pg from 'pg';
import { deferBegin, forgetHeldBegin } from './deferred-begin.js';

export interface ServiceOrmOptions {
  /** PostgreSQL connection URL. */
  readonly clientUrl: string;
  /** The service's own schema: its tables, its event store and its migrations table live there. */
  readonly schema: string;
  /** The service's read-model entities (decorated classes). */
  readonly entities?: Options['entities'];
  /** Every migration the service needs, in order (libs' first, e.g. `eventStoreMigrations`). */
  readonly migrations: readonly MigrationObject[];
  readonly poolSize?: number;
  /**
   * How long a query may wait for a pooled connection before it fails (default 5 s). Without a bound,
   * a pool whose connections are all stuck makes every caller wait forever, health checks included.
   */
  readonly acquireTimeoutMs?: number;
  /**
   * The server ends a statement running longer than this (default 30 s; 0 = no limit). A migration
   * that needs longer says so itself (`SET LOCAL statement_timeout = 0` in its transaction).
   */
  readonly statementTimeoutMs?: number;
  /**
   * The server ends a session left idle inside a transaction longer than this (default 10 s; 0 = no
   * limit). Every relay on the cluster reads only below the oldest open transaction (ADR 0002), so a
   * transaction forgotten open by a stuck process must not hold them back for long. Work that waits
   * inside a transaction on purpose sets its own bound locally (the timer worker does).
   */
  readonly idleInTransactionTimeoutMs?: number;
  readonly debug?: boolean;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * kysely 0.29's controlled transaction (what MikroORM 7 runs `em.transactional` on) hands its
 * connection back to the pool only after a COMMIT or ROLLBACK that succeeded. When the server ends the
 * connection inside a transaction (pg_terminate_backend, a failover, a PostgreSQL restart), the
 * ROLLBACK fails too, the client is never released, and after `pool.max` of them every query waits
 * forever. The pool sees the connection end, though: a client whose connection ends while it is
 * checked out is released here with an error, so the pool destroys it and opens a fresh one.
 */
function releaseClientsWhoseConnectionEnds(pool: pg.Pool): void {
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.once('end', () => {
      if (!checkedOut.has(client)) return;
      const release = client.release;
      // Whoever holds the client may still release it when its failed query unwinds (kysely does for
      // queries outside a transaction); pg-pool throws on a second release, and the pool never
      // hands a destroyed client out again, so that late release has nothing left to do.
      client.release = () => undefined;
      release(new Error('the connection ended while the client was checked out'));
    });
  });
}

/**
 * Opens a service's MikroORM on its own schema and brings the schema up to date with the committed
 * migrations. The schema is never synchronised from entities: what runs in production is what was
 * reviewed as a migration.
 */
export async function createServiceOrm(options: ServiceOrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init({
    clientUrl: options.clientUrl,
    schema: options.schema,
    // MikroORM finds the entity manager of the current request or transaction by this name in async
    // context. In one process (embedded mode) a service's handler runs inside another service's call
    // (the gateway's consumer asking the users service), so each service needs a name of its own, or
    // the users handler would query through the gateway's entity manager and metadata.
    contextName: `service:${options.schema}`,
    entities: options.entities ?? [],
    discovery: { warnWhenNoEntities: false },
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    pool: { min: 0, max: options.poolSize ?? 10 },
    driverOptions: {
      connectionTimeoutMillis: options.acquireTimeoutMs ?? 5_000,
      // A server that vanished without closing the socket (host down, network cut) is noticed by
      // TCP keepalive instead of leaving the connection's query hanging until the OS gives up.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // Sent with each connection's startup: they bound every session of the pool, the LISTEN one included.
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      onPoolCreated: (pool: pg.Pool) => {
        releaseClientsWhoseConnectionEnds(pool);
        pool.on('connect', (client) => deferBegin(client));
        pool.on('release', (_error, client) => forgetHeldBegin(client));
      },
    },
    debug: options.debug ?? false,
    migrations: {
      schema: options.schema,
      tableName: 'mikro_orm_migrations',
      migrationsList: [...options.migrations],
      silent: true,
      snapshot: false,
    },
  });
  try {
    await orm.em.getConnection().execute(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await orm.migrator.up();
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}
