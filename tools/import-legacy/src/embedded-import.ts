import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import {
  embeddedPostgresDir,
  EmbeddedPostgresStartError,
  platformNatsAccess,
  platformServices,
  startEmbeddedPostgres,
  type EmbeddedDatabaseConfig,
} from '@botplatform/platform';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import type { LoggerService } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The requests the importer makes: the broker's `importer` user may make these and nothing else
 * (services/platform/src/platform-nats-access.ts), and on the embedded platform's database the importer
 * runs the services that answer them.
 */
export const importerRequests: readonly string[] = platformNatsAccess.find((access) => access.user === 'importer')?.requests ?? [];

/** The services answering `subjects` (`rpc.<service>.<verb>`), in the platform's start order. */
export function servicesAnswering(subjects: readonly string[]): string[] {
  const wanted = new Set(subjects.map((subject) => subject.split('.')[1]));
  return platformServices({ telegram: { telegramApiRoot: 'https://api.telegram.org', mode: 'polling' } })
    .all.map((definition) => definition.name)
    .filter((name) => wanted.has(name));
}

export interface ImportServices {
  /** A client of the in-process broker those services answer on. */
  readonly rpc: RpcClient;
  readonly services: ReadonlyMap<string, RunningService>;
  close(): Promise<void>;
}

/**
 * The services answering the importer's requests, started in this process on `databaseUrl` with their
 * real command handlers (migrations, validation, typed errors, the event store's inline projections), and
 * nothing else: no relay, no consumers, no bot features declared (`rpcOnly`), no bots hosted by the
 * gateway (`hostBots: false`). The events they append stay in each service's store, where the platform's
 * next start publishes them to its consumers (the embedded bus reads the stores from its consumers'
 * saved positions; ADR 0021).
 */
export async function startImportServices(databaseUrl: string, options: { readonly logger?: LoggerService | false } = {}): Promise<ImportServices> {
  const transport = { kind: 'in-process', broker: new InProcessBroker() } as const;
  // Required by startService, unused: `rpcOnly` neither publishes from the stores nor consumes.
  const bus = new EmbeddedEventBus();
  const wanted = new Set(servicesAnswering(importerRequests));
  const { all } = platformServices({ telegram: { telegramApiRoot: 'https://api.telegram.org', mode: 'polling', hostBots: false } });
  const services = new Map<string, RunningService>();
  const close = async () => {
    for (const service of [...services.values()].reverse()) await service.close();
    await bus.close();
  };
  try {
    for (const definition of all.filter((candidate) => wanted.has(candidate.name))) {
      services.set(
        definition.name,
        await startService(definition, { databaseUrl, bus, rpc: transport, httpPort: 0, logger: options.logger ?? false, rpcOnly: true }),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  const rpc = createRpcClient(transport);
  return {
    rpc,
    services,
    close: async () => {
      await rpc.close();
      await close();
    },
  };
}

/** The import cannot run on this database as things are; `message` says what to do. Nothing was changed. */
export class ImportRefusedError extends Error {
  readonly code = 'IMPORT.REFUSED';
}

export interface ImportDatabase {
  readonly url: string;
  /** Where it is, for the messages. */
  readonly where: string;
  stop(): Promise<void>;
}

/**
 * The embedded platform's database, as `npm start` finds it (the same variables): `DATABASE_URL` when
 * given, else the embedded PostgreSQL started here on `npm start`'s data directory. Refused when that
 * directory holds no platform yet (nothing to import into), or when a server already runs on it (`npm
 * start`): one server per data directory, and its in-process broker is out of this process's reach.
 * With `DATABASE_URL` nothing tells a running platform apart: the README asks to stop it first.
 */
export async function openImportDatabase(config: EmbeddedDatabaseConfig): Promise<ImportDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, where: 'DATABASE_URL', stop: async () => undefined };
  const dataDir = embeddedPostgresDir(config);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    throw new ImportRefusedError(
      `no platform data in ${dataDir}: run npm start once (it creates the database and registers the bot), stop it, then run the import again`,
    );
  }
  try {
    const database = await startEmbeddedPostgres(dataDir, config.EMBEDDED_POSTGRES_PORT);
    return { ...database, where: dataDir };
  } catch (error) {
    if (error instanceof EmbeddedPostgresStartError && error.dataDirectoryInUse) {
      throw new ImportRefusedError(
        `the platform's database in ${dataDir} is in use: npm start (or another import) is running. Stop npm start (Ctrl+C) and run the import again`,
      );
    }
    throw error;
  }
}
