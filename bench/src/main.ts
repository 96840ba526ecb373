import { createTestDatabase, testServers, uniqueName, type TestDatabase } from '@botplatform/testing';
import { Logger } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAccessBench } from './access.bench.js';
import { runAppendBench } from './append.bench.js';
import { runAwardsBench } from './awards.bench.js';
import { broadcastBenchSizes, runBroadcastBench } from './broadcast.bench.js';
import { runGatewayBench } from './gateway.bench.js';
import { runLatencyBench } from './latency.bench.js';
import { runLeaderboardBench } from './leaderboard.bench.js';
import { PURCHASES_CONCURRENCY, purchasesBenchSize, runPurchasesBench } from './purchases.bench.js';
import { runRelayThroughputBench } from './relay-throughput.bench.js';
import { runScheduleBench } from './schedule.bench.js';
import { PartialScenarioError, formatTable, judge, writeReport, type BenchLine } from './report.js';

const REPORT_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-output/bench.json');

const log = (line: string) => console.log(line);

const SCENARIO_KEYS = ['append', 'relay', 'latency', 'gateway', 'schedule', 'access', 'leaderboard', 'awards', 'broadcast', 'purchases'] as const;
type ScenarioKey = (typeof SCENARIO_KEYS)[number];

/** `npm run bench -- relay latency` runs only those scenarios; default all. */
const SCENARIOS = new Set(process.argv.slice(2));
const selected = (scenario: ScenarioKey) => SCENARIOS.size === 0 || SCENARIOS.has(scenario);

/**
 * Runs every scenario once, each of our figures beside its raw baseline measured in the same run, on
 * a database and a stream namespace of the bench's own, both removed at the end.
 */
async function main(): Promise<void> {
  const unknown = [...SCENARIOS].filter((key) => !SCENARIO_KEYS.some((known) => known === key));
  if (unknown.length) throw new UsageError(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIO_KEYS.join(', ')}`);
  const startedAt = new Date();
  // The services run at `info` (LOG_LEVEL, pino-logger.ts); Nest's console logger would also print a debug
  // line per consumed event, and the bench would measure the terminal instead of the platform.
  Logger.overrideLogger(['log', 'warn', 'error', 'fatal']);
  const environment = await checkServers();
  log(`bench: PostgreSQL ${environment.postgres}, NATS ${environment.nats}, ${environment.cpus} × ${environment.cpuModel}`);

  const database = await createTestDatabase('bp_bench');
  const namespace = uniqueName('bench');
  // A namespace per scenario: a durable consumer delivers everything in its stream, so a shared one
  // would hand the latency consumer the throughput scenario's events first. All start with the
  // run's namespace, so the clean-up finds every stream.
  const targetFor = (scenario: string) => ({
    databaseUrl: database.url,
    natsUrl: testServers.natsUrl,
    namespace: `${namespace}_${scenario}`,
  });
  const scenarios: readonly { key: ScenarioKey; title: string; run: () => Promise<BenchLine[]> }[] = [
    { key: 'append', title: 'append rate', run: () => runAppendBench(database.url, log) },
    {
      key: 'relay',
      title: 'relay → JetStream → consumer throughput',
      run: () => runRelayThroughputBench(targetFor('throughput'), log),
    },
    { key: 'latency', title: 'end-to-end latency', run: () => runLatencyBench(targetFor('latency'), log) },
    { key: 'gateway', title: 'gateway → users → reply, against the Telegram sandbox', run: () => runGatewayBench({ databaseUrl: database.url }, log) },
    { key: 'schedule', title: 'the durable schedule: expiries due at once', run: () => runScheduleBench(database.url, log) },
    { key: 'access', title: 'access checks: is this member entitled?', run: () => runAccessBench(database.url, log) },
    { key: 'leaderboard', title: 'the leaderboard at a million members', run: () => runLeaderboardBench(database.url, log) },
    { key: 'awards', title: 'awards: activity completed → XP → level check', run: () => runAwardsBench(database.url, log) },
    {
      key: 'broadcast',
      title: 'broadcasts at Telegram’s pace: free and paid, the sandbox’s limits on',
      run: () => {
        const sizes = broadcastBenchSizes();
        log(
          `  members: ${sizes.free} free (${sizes.freeWindowSeconds === undefined ? 'to completion' : `rate over ${sizes.freeWindowSeconds} s, then cancelled; BENCH_BROADCAST_FREE_TO_COMPLETION=1 to send to all`}), ${sizes.paid} paid`,
        );
        return runBroadcastBench(targetFor('broadcast'), sizes, log);
      },
    },
    {
      key: 'purchases',
      title: 'Telegram Stars purchases: gateway → payments → subscriptions, against the sandbox',
      run: () => {
        const purchases = purchasesBenchSize();
        log(`  purchases: ${purchases} members each buy once (BENCH_PURCHASES), ${PURCHASES_CONCURRENCY} at once`);
        return runPurchasesBench({ databaseUrl: database.url }, purchases, log);
      },
    },
  ];

  const lines: BenchLine[] = [];
  const failures: { scenario: string; error: string }[] = [];
  try {
    for (const scenario of scenarios.filter((s) => selected(s.key))) {
      log(`${scenario.title}…`);
      // One scenario failing (e.g. events lost on the way) must not hide the others' figures.
      try {
        lines.push(...(await scenario.run()));
      } catch (error) {
        if (error instanceof PartialScenarioError) lines.push(...error.lines);
        failures.push({ scenario: scenario.key, error: messageOf(error) });
        console.error(`  FAILED: ${messageOf(error)}`);
      }
    }
  } finally {
    // Reported on its own so a clean-up failure neither hides a scenario's error nor passes silently.
    await cleanUp(database, namespace).catch((error: unknown) => {
      console.error(messageOf(error));
      process.exitCode = 1;
    });
  }

  const judged = lines.map(judge);
  const durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 100) / 10;
  log('');
  log(formatTable(judged));
  log('');
  const below = judged.filter((l) => !l.meetsAim);
  log(
    below.length
      ? `${below.length} line(s) do not meet their aim (/raw or /naive: the ratio the aim is set on; default ours at >= 50 % of raw).`
      : 'Every line meets its aim.',
  );
  for (const failure of failures) log(`scenario ${failure.scenario} FAILED, no figure: ${failure.error.split('\n')[0]}`);
  await writeReport(REPORT_PATH, { startedAt: startedAt.toISOString(), durationSeconds, environment, lines: judged, failures });
  log(`written to ${REPORT_PATH} (${durationSeconds} s)`);
  if (failures.length) process.exitCode = 1;
}

interface Environment extends Record<string, string | number> {
  node: string;
  cpus: number;
  cpuModel: string;
  postgres: string;
  nats: string;
}

/** Fails at once, saying which server is missing, instead of hanging in a reconnect loop. */
async function checkServers(): Promise<Environment> {
  let postgres: string;
  const client = new pg.Client({ connectionString: testServers.postgresUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    postgres = rows[0].server_version;
  } catch (error) {
    throw new UsageError(`PostgreSQL is not reachable at ${testServers.postgresUrl} (set TEST_DATABASE_URL): ${messageOf(error)}`);
  } finally {
    await client.end().catch(() => {});
  }

  let nats: string;
  try {
    const connection = await connect({ servers: testServers.natsUrl, timeout: 3_000, maxReconnectAttempts: 0 });
    try {
      await jetstreamManager(connection); // throws when the server runs without JetStream
      nats = connection.info?.version ?? 'unknown';
    } finally {
      await connection.close();
    }
  } catch (error) {
    throw new UsageError(`NATS with JetStream is not reachable at ${testServers.natsUrl} (set TEST_NATS_URL): ${messageOf(error)}`);
  }

  return { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', postgres, nats };
}

/** Deletes the namespace's streams and drops the database; both are attempted even if one fails. */
async function cleanUp(database: TestDatabase, namespace: string): Promise<void> {
  const failures: string[] = [];
  try {
    const connection = await connect({ servers: testServers.natsUrl, timeout: 3_000, maxReconnectAttempts: 0 });
    try {
      const jsm = await jetstreamManager(connection);
      const prefix = `${namespace.toUpperCase()}_`;
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(prefix)) await jsm.streams.delete(name);
      }
    } finally {
      await connection.close();
    }
  } catch (error) {
    failures.push(`deleting the bench's streams (${namespace.toUpperCase()}_*): ${messageOf(error)}`);
  }
  try {
    await database.drop();
  } catch (error) {
    failures.push(`dropping database ${database.name}: ${messageOf(error)}`);
  }
  if (failures.length) throw new Error(`bench clean-up failed: ${failures.join('; ')}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A server the bench needs is missing, or the command line is wrong: the message says it all, no stack. */
class UsageError extends Error {}

main().catch((error: unknown) => {
  const detail = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`bench failed: ${detail}`);
  process.exitCode = 1;
});
