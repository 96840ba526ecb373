import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';

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
  readonly debug?: boolean;
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
