import 'reflect-metadata';
import type { RpcClient } from '@botplatform/bus';
import { EmbeddedDatabaseConfig } from '@botplatform/platform';
import { createRpcClient, InvalidConfigError, loadConfig } from '@botplatform/service-kit';
import { Logger } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backUp } from './backup.js';
import { ImportRefusedError, importerRequests, openImportDatabase, servicesAnswering, startImportServices } from './embedded-import.js';
import { badgeCatalogueOf, importLegacyUsers } from './import-legacy.js';
import { parseLegacyFile } from './legacy-file.js';
import { Progress, renderSummary } from './progress.js';

const USAGE = `usage: npm run import:legacy -- <users_data.json> --bot <botId> [--session-service <service>] [--concurrency <n>] [--embedded]
  the embedded platform (npm start), without NATS_URL or with --embedded: stop npm start first; the import
    runs on its database: BOTPLATFORM_DATA_DIR (.data), EMBEDDED_POSTGRES_PORT (54329), or DATABASE_URL
  the distributed platform, with NATS_URL: its broker, as NATS_USER (importer) with NATS_PASSWORD`;
// The RPC client's debug lines would break the progress bar: only warnings and errors.
const LOG_LEVELS = ['warn', 'error'] as const;
Logger.overrideLogger([...LOG_LEVELS]);

/** Where the importer's requests go, and how to let go of it. */
interface Platform {
  readonly rpc: RpcClient;
  /** Added to a message that says the requests found no one to answer them. */
  readonly unreachableHint: string;
  close(): Promise<void>;
}

let platform: Platform | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: import stopped; what is in stays, and running it again finishes it\n`);
    // The embedded PostgreSQL is stopped by its package's exit listener if the close does not get there.
    void Promise.race([platform?.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]).finally(() => process.exit(130));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `npm run import:legacy`: exit 0 when every valid row is in, 1 when a row failed or the import stopped,
 * 2 on bad arguments or when it cannot start as things are (npm start running), having changed nothing.
 */
async function main(): Promise<number> {
  let args: ReturnType<typeof parseCommandLine>;
  try {
    args = parseCommandLine();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    platform = args.embedded ? await embeddedPlatform() : distributedPlatform();
  } catch (error) {
    const refused = error instanceof ImportRefusedError || error instanceof InvalidConfigError;
    process.stderr.write(`import not started: ${error instanceof Error ? error.message : String(error)}\n`);
    return refused ? 2 : 1;
  }
  const { rpc } = platform;
  try {
    const backup = backUp(args.file, new Date());
    const catalogue = await badgeCatalogueOf(rpc, args.botId);
    const file = parseLegacyFile(readFileSync(args.file, 'utf8'), { badgeCatalogue: catalogue, now: new Date() });
    process.stdout.write(`${args.file}: ${file.users.length} valid rows, ${file.invalid.length} invalid; importing into bot ${args.botId}\n`);
    const progress = new Progress(process.stdout, file.users.length);
    const counts = { imported: 0, skipped: 0, failed: 0 };
    const summary = await importLegacyUsers(rpc, file.users, file.invalid, {
      botId: args.botId,
      sessionService: args.sessionService,
      concurrency: args.concurrency,
      onRow: (outcome, done) => {
        counts[outcome.kind]++;
        progress.update(done, counts);
      },
    });
    process.stdout.write(renderSummary(summary, backup));
    return summary.failed.length > 0 ? 1 : 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = /no subscribers|timed? ?out|no handler/i.test(message) ? platform.unreachableHint : '';
    process.stderr.write(`import stopped: ${message}${hint}\n`);
    return 1;
  } finally {
    await platform.close();
  }
}

/** The distributed platform's broker, as the `importer` user. */
function distributedPlatform(): Platform {
  const rpc = createRpcClient(
    {
      kind: 'nats',
      servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      ...(process.env.NATS_PASSWORD ? { credentials: { user: process.env.NATS_USER ?? 'importer', pass: process.env.NATS_PASSWORD } } : {}),
    },
    15_000,
  );
  return { rpc, unreachableHint: ' (is the distributed platform running, and NATS_URL its broker?)', close: async () => rpc.close() };
}

/**
 * The embedded platform's database, `npm start` stopped, with the services answering the importer's
 * requests in this process (embedded-import.ts, ADR 0021). Refused (ImportRefusedError) before anything
 * is changed when `npm start` holds the database.
 */
async function embeddedPlatform(): Promise<Platform> {
  const config = loadConfig(EmbeddedDatabaseConfig, process.env);
  const database = await openImportDatabase(config);
  process.stdout.write(`embedded platform: its database in ${database.where}; the ${servicesAnswering(importerRequests).join(', ')} commands run here\n`);
  // Their start-up warnings (the development keys of npm start) are npm start's to give, not the import's.
  Logger.overrideLogger(['error']);
  try {
    const services = await startImportServices(database.url);
    return {
      rpc: services.rpc,
      unreachableHint: '',
      close: async () => {
        await services.close();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  } finally {
    Logger.overrideLogger([...LOG_LEVELS]);
  }
}

function parseCommandLine() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      bot: { type: 'string' },
      'session-service': { type: 'string', default: 'legacy' },
      concurrency: { type: 'string', default: '8' },
      embedded: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new Error('name one file');
  if (!values.bot || !UUID.test(values.bot)) throw new Error('--bot <botId>: the platform bot id (a UUID)');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error('--concurrency: 1..64');
  // npm runs the script from the repository root; the file is named from where the command was typed.
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]);
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  return {
    file,
    botId: values.bot,
    sessionService: values['session-service'],
    concurrency,
    // npm start's platform unless a broker is named: the default way to run the platform is the default here.
    embedded: values.embedded || !process.env.NATS_URL,
  };
}

// Exited explicitly: the embedded PostgreSQL package's exit hook, on a process that ends by running out of
// work (`beforeExit`), exits 0 whatever `process.exitCode` says.
process.exit(await main());
