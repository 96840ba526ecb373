import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChaosEnvironment } from './chaos-environment.js';
import { parseChaosOptions, USAGE, UsageError, type ChaosOptions, type ScenarioKey } from './chaos-options.js';
import { ADMIN_DATABASE_URL, checkPostgres } from './postgres.js';
import { formatTable, writeReport, type ScenarioResult } from './report.js';
import { runIdleScenario } from './scenarios/idle.scenario.js';
import { runProbeScenario } from './scenarios/probe.scenario.js';
import { runPurchasesScenario } from './scenarios/purchases.scenario.js';
import { runStartsScenario } from './scenarios/starts.scenario.js';
import { runStormScenario } from './scenarios/storm.scenario.js';
import { SERVICE_NAMES } from './service-process.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REPORT_PATH = join(REPO_ROOT, 'test-output', 'chaos.json');
const SUPERVISOR_RESTART_DELAY_MS = 1_000;

const log = (line: string) => console.log(line);

// The harness's own NATS clients are Nest clients: keep their connection chatter out of the report.
Logger.overrideLogger(['error', 'warn']);

type Scenario = (environment: ChaosEnvironment, options: ChaosOptions, log: (line: string) => void) => Promise<ScenarioResult>;

const SCENARIOS: Record<ScenarioKey, { title: string; run: Scenario }> = {
  starts: { title: '/starts under kill -9 of each service and broker outages', run: runStartsScenario },
  purchases: { title: 'Stars purchases under kill -9 of payments, subscriptions and the gateway, and broker outages', run: runPurchasesScenario },
  storm: { title: 'connection-termination storm', run: runStormScenario },
  idle: { title: 'outbound messages, then an idle gateway', run: runIdleScenario },
  probe: { title: 'an anonymous NATS client asks for the bot token', run: runProbeScenario },
};

/** The environment alive right now, for Ctrl-C. */
let current: ChaosEnvironment | undefined;

/**
 * Runs each selected scenario in a fresh environment (databases, broker, sandbox, the built services
 * as processes), prints one table, writes test-output/chaos.json, and exits non-zero on any loss,
 * double, failed bound or scenario error.
 */
async function main(): Promise<void> {
  const options = parseChaosOptions(process.argv.slice(2));
  if (options === 'help') {
    log(USAGE);
    return;
  }
  const missing = SERVICE_NAMES.map((name) => join(REPO_ROOT, 'services', name, 'dist', 'main.js')).filter((entry) => !existsSync(entry));
  if (missing.length) throw new UsageError(`${missing.join(', ')} missing: run \`npm run build\` first`);
  const postgres = await checkPostgres().catch((error: unknown) => {
    throw new UsageError(`PostgreSQL is not reachable at ${ADMIN_DATABASE_URL} (set CHAOS_DATABASE_URL): ${String(error)}`);
  });
  const logRoot = await mkdtemp(join(tmpdir(), 'bp-chaos-'));
  log(`chaos: PostgreSQL ${postgres}, node ${process.version}; scenarios ${options.scenarios.join(', ')}; service logs in ${logRoot}`);

  const startedAt = new Date();
  const results: ScenarioResult[] = [];
  for (const key of options.scenarios) {
    log(`${key}: ${SCENARIOS[key].title}…`);
    results.push(await runInFreshEnvironment(key, options, join(logRoot, key)));
  }

  log('');
  log(formatTable(results));
  log('');
  const failed = results.filter((r) => r.failures.length);
  log(failed.length ? `FAILED: ${failed.map((r) => r.scenario).join(', ')}` : 'every scenario passed');
  log(`service logs: ${logRoot}`);
  await writeReport(REPORT_PATH, { startedAt: startedAt.toISOString(), options, logRoot, results });
  log(`written to ${REPORT_PATH}`);
  if (failed.length) process.exitCode = 1;
}

async function runInFreshEnvironment(key: ScenarioKey, options: ChaosOptions, logDir: string): Promise<ScenarioResult> {
  const environmentOptions = { repoRoot: REPO_ROOT, logDir, supervisorRestartDelayMs: SUPERVISOR_RESTART_DELAY_MS, log };
  let result: ScenarioResult;
  try {
    const environment = await ChaosEnvironment.start(key, environmentOptions, (started) => (current = started));
    log(`  environment up: broker ${environment.broker.url}, sandbox ${environment.sandbox.apiRoot}, bot ${environment.bot.botId}`);
    result = await SCENARIOS[key].run(environment, options, log);
  } catch (error) {
    // One scenario breaking (e.g. the services never came up) must not hide the others' figures.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`  ${key} FAILED: ${message}`);
    result = {
      scenario: key,
      sent: 0,
      applied: 0,
      answered: 0,
      lost: 0,
      doubled: 0,
      rssBefore: {},
      rssAfter: {},
      failures: [`scenario error: ${message}`],
      notes: [],
    };
  }
  try {
    await current?.dispose();
  } catch (error) {
    result = { ...result, failures: [...result.failures, String(error)] };
  }
  current = undefined;
  return result;
}

/** Ctrl-C or a SIGTERM: kill the children, drop the databases, remove the broker's store, then go. */
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nchaos: ${signal}, cleaning up…`);
    const cleanUp = current?.dispose() ?? Promise.resolve();
    void cleanUp.catch((error: unknown) => console.error(String(error))).finally(() => process.exit(130));
  });
}

main().catch((error: unknown) => {
  const detail = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`chaos failed: ${detail}`);
  process.exitCode = 1;
});
