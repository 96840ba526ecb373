import 'reflect-metadata';
import { createRpcClient } from '@botplatform/service-kit';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backUp } from './backup.js';
import { badgeCatalogueOf, importLegacyUsers } from './import-legacy.js';
import { parseLegacyFile } from './legacy-file.js';
import { Progress, renderSummary } from './progress.js';

const USAGE = `usage: npm run import:legacy -- <users_data.json> --bot <botId> [--session-service <service>] [--concurrency <n>]
  connects to the platform's broker: NATS_URL (nats://127.0.0.1:4222), NATS_USER (importer), NATS_PASSWORD`;
// The RPC client's debug lines would break the progress bar: only warnings and errors.
Logger.overrideLogger(['warn', 'error']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `npm run import:legacy`: exit 0 when every valid row is in, 1 when a row failed or the import stopped, 2 on bad arguments. */
async function main(): Promise<number> {
  let args: ReturnType<typeof parseCommandLine>;
  try {
    args = parseCommandLine();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const rpc = createRpcClient(
    {
      kind: 'nats',
      servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      ...(process.env.NATS_PASSWORD ? { credentials: { user: process.env.NATS_USER ?? 'importer', pass: process.env.NATS_PASSWORD } } : {}),
    },
    15_000,
  );
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
    const hint = /no subscribers|timed? ?out/i.test(message) ? ' (is the distributed platform running, and NATS_URL its broker?)' : '';
    process.stderr.write(`import stopped: ${message}${hint}\n`);
    return 1;
  } finally {
    await rpc.close();
  }
}

function parseCommandLine() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { bot: { type: 'string' }, 'session-service': { type: 'string', default: 'legacy' }, concurrency: { type: 'string', default: '8' } },
  });
  if (positionals.length !== 1) throw new Error('name one file');
  if (!values.bot || !UUID.test(values.bot)) throw new Error('--bot <botId>: the platform bot id (a UUID)');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error('--concurrency: 1..64');
  // npm runs the script from the repository root; the file is named from where the command was typed.
  return { file: resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]), botId: values.bot, sessionService: values['session-service'], concurrency };
}

process.exitCode = await main();
