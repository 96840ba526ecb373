import { sleep } from '@botplatform/testing';
import type { ChaosEnvironment } from '../chaos-environment.js';
import type { ChaosOptions } from '../chaos-options.js';
import { terminateConnections } from '../postgres.js';
import { summarizeRecovery, type ScenarioResult } from '../report.js';
import { StartLoad, isGreetingOf } from '../start-load.js';
import { outcomeFailures, settleStarts } from './start-outcome.js';

/** How long after the storm the suite keeps looking for a recovery before it calls it "never". */
const RECOVERY_WATCH_FACTOR = 3;

/**
 * A termination storm: every connection of the services' databases cut (`pg_terminate_backend`)
 * once a second, `storm` times, while a trickle of `/start`s runs. Afterwards the services must
 * heal by themselves: every /health 200 and a `/start` sent after the storm answered, within the
 * bound. The trickle's starts must all be answered once in the end, as in the starts scenario.
 */
export async function runStormScenario(environment: ChaosEnvironment, options: ChaosOptions, log: (line: string) => void): Promise<ScenarioResult> {
  const rssBefore = await environment.rss();
  const load = new StartLoad(environment.sandbox, environment.bot.sandbox, 'Storm', isGreetingOf(environment.bot.name));
  let trickling = true;
  const trickle = load.pace(Number.MAX_SAFE_INTEGER, options.stormTrickleRate, () => !trickling);
  const databases = [...environment.databases.values()];

  const cut: number[] = [];
  for (let round = 0; round < options.storm; round++) {
    if (round > 0) await sleep(options.stormIntervalMs);
    cut.push(await terminateConnections(databases));
  }
  const stormEndedAt = Date.now();
  log(`  ${options.storm} rounds of pg_terminate_backend cut ${cut.join(', ')} connections; watching the recovery`);

  // Recovered: every /health 200 at once, and a /start sent after the storm answered.
  let healthyMs: number | undefined;
  let recoveryMs: number | undefined;
  const watchUntil = stormEndedAt + options.stormBoundMs * RECOVERY_WATCH_FACTOR;
  while (Date.now() < watchUntil) {
    if (healthyMs === undefined && (await Promise.all([...environment.services.values()].map((s) => s.healthy()))).every(Boolean)) {
      healthyMs = Date.now() - stormEndedAt;
    }
    const answeredMs = load.firstAnswerAfter(stormEndedAt);
    if (healthyMs !== undefined && answeredMs !== undefined) {
      recoveryMs = Math.max(healthyMs, answeredMs);
      break;
    }
    await sleep(200);
  }
  trickling = false;
  await trickle;
  log(`  trickle stopped: ${load.sent.length} sent, ${load.answeredCount} answered so far; settling`);
  const outcome = await settleStarts(environment, load, { timeoutMs: options.settleTimeoutMs, giveUpAfterMs: options.giveUpAfterMs });

  const failures = outcomeFailures(outcome);
  if (recoveryMs === undefined) failures.unshift(`not recovered ${Math.round((watchUntil - stormEndedAt) / 1_000)} s after the storm`);
  else if (recoveryMs > options.stormBoundMs) failures.unshift(`recovered after ${(recoveryMs / 1_000).toFixed(1)} s, bound ${options.stormBoundMs / 1_000} s`);
  const answered = load.firstAnswerAfter(stormEndedAt);
  return {
    scenario: 'storm',
    sent: outcome.sent,
    applied: outcome.memberships,
    answered: outcome.answered,
    lost: outcome.lost,
    doubled: outcome.doubled,
    recovery: summarizeRecovery([recoveryMs]),
    rssBefore,
    rssAfter: await environment.rss(),
    failures,
    notes: [
      `after the storm: every /health 200 ${fmt(healthyMs)}, first /start answered ${fmt(answered)}: ` +
        `${recoveryMs !== undefined && recoveryMs <= options.stormBoundMs ? 'within' : 'NOT within'} the ${options.stormBoundMs / 1_000} s bound; ` +
        `connections cut per round: ${cut.join(', ')}`,
      `memberships ${outcome.memberships}, notification recipients ${outcome.recipients}, answers ${outcome.answered}, error replies ${outcome.errorReplies}; ${outcome.settled ? 'settled' : 'gave up'} ${(outcome.settledMs / 1_000).toFixed(1)} s after the trickle`,
      ...environment.unexpectedExits.map((exit) => `${exit.service} exited on its own (${exit.signal ?? `code ${exit.code}`})`),
    ],
    details: { cut, healthyMs, answeredMs: answered, recoveryMs, outcome },
  };
}

const fmt = (ms: number | undefined) => (ms === undefined ? 'never' : `after ${(ms / 1_000).toFixed(1)} s`);
