import { sleep } from '@botplatform/testing';
import type { ChaosEnvironment } from '../chaos-environment.js';
import type { ChaosOptions } from '../chaos-options.js';
import { summarizeRecovery, type ScenarioResult } from '../report.js';
import { FIRST_CONTACT_SERVICES, type ServiceName } from '../service-process.js';
import { StartLoad, isGreetingOf } from '../start-load.js';
import { outcomeFailures, settleStarts } from './start-outcome.js';

type Fault = { kind: 'kill'; service: ServiceName } | { kind: 'outage' };

interface FaultRecord {
  readonly label: string;
  /** For a kill: the service, and when its process was gone. */
  readonly killed?: { readonly service: ServiceName; readonly at: number };
  readonly injectedAt: number;
  readonly restoredAt: number;
  /** Restore → the affected service(s) answer /health with 200. */
  healthyMs?: number;
}

/** Load runs alone for this long before the first fault, so the first answers show the bot works. */
const LEAD_IN_MS = 2_000;

/**
 * Kills of each of `services` in turn (users, notifications, gateway, users, …), with the broker
 * outages spread evenly among them.
 */
export function faultSchedule(kills: number, outages: number, services: readonly ServiceName[] = FIRST_CONTACT_SERVICES): Fault[] {
  const faults: Fault[] = [];
  for (let round = 0; round < kills; round++) for (const service of services) faults.push({ kind: 'kill', service });
  const slots = faults.length;
  for (let i = outages; i >= 1; i--) faults.splice(Math.round((i * slots) / (outages + 1)), 0, { kind: 'outage' });
  return faults;
}

/**
 * N distinct users each send `/start` once, paced over the run, while services are killed with -9
 * (and started again) and the broker goes away for a while. Every user must be answered once and
 * have one membership. Recovery per fault: from its undoing to the first answer of a `/start` sent
 * after that (or, with no load left, to the affected /health answering 200).
 */
export async function runStartsScenario(environment: ChaosEnvironment, options: ChaosOptions, log: (line: string) => void): Promise<ScenarioResult> {
  const rssBefore = await environment.rss();
  const faults = faultSchedule(options.kills, options.outages);
  const plannedMs = LEAD_IN_MS + faults.reduce((sum, f) => sum + (f.kind === 'kill' ? options.restartDelayMs : options.outageMs) + options.faultGapMs, 0);
  const rate = options.rate ?? Math.max(1, (options.starts * 1_000) / plannedMs);
  log(`  ${options.starts} /starts at ${rate.toFixed(1)}/s; ${faults.length} faults over ~${Math.round(plannedMs / 1_000)} s`);

  const load = new StartLoad(environment.sandbox, environment.bot.sandbox, 'Starter', isGreetingOf(environment.bot.name));
  const loadDone = load.pace(options.starts, rate);
  const records: FaultRecord[] = [];
  const healthWaits: Promise<void>[] = [];
  await sleep(LEAD_IN_MS);
  for (const fault of faults) {
    const injectedAt = Date.now();
    let label: string;
    let killed: FaultRecord['killed'];
    if (fault.kind === 'kill') {
      label = `kill -9 ${fault.service}`;
      await environment.service(fault.service).kill();
      killed = { service: fault.service, at: Date.now() };
      await sleep(options.restartDelayMs);
      environment.service(fault.service).start();
    } else {
      label = `broker outage ${options.outageMs / 1_000} s`;
      await environment.broker.server.stop();
      await sleep(options.outageMs);
      await environment.broker.server.restart();
    }
    const record: FaultRecord = { label, ...(killed ? { killed } : {}), injectedAt, restoredAt: Date.now() };
    records.push(record);
    log(`  ${label} (answered so far ${load.answeredCount}/${load.sent.length})`);
    const affected = fault.kind === 'kill' ? [environment.service(fault.service)] : [...environment.services.values()];
    healthWaits.push(
      waitHealthy(affected, options.settleTimeoutMs).then((ms) => {
        record.healthyMs = ms;
      }),
    );
    await sleep(options.faultGapMs);
  }
  await loadDone;
  log(`  load done: ${load.sent.length} sent, ${load.answeredCount} answered so far; settling (up to ${options.settleTimeoutMs / 1_000} s)`);
  const outcome = await settleStarts(environment, load, {
    timeoutMs: options.settleTimeoutMs,
    giveUpAfterMs: options.giveUpAfterMs,
    gatewayKilledAt: records.flatMap((record) => (record.killed?.service === 'gateway' ? [record.killed.at] : [])),
  });
  await Promise.all(healthWaits);

  const recoveries = records.map((record) => {
    const answeredMs = load.firstAnswerAfter(record.restoredAt);
    return { ...record, answeredMs, recoveryMs: answeredMs ?? record.healthyMs };
  });
  const notes = [
    `memberships ${outcome.memberships}, notification recipients ${outcome.recipients}, answers ${outcome.answered}, ` +
      `unanswered with the answer in flight at a gateway kill ${outcome.unansweredInFlightAtKill}, error replies ${outcome.errorReplies}, doubled replies ${outcome.doubledReplies}, doubled registrations ${outcome.doubledRegistrations}; ` +
      `${outcome.settled ? 'settled' : 'gave up'} ${(outcome.settledMs / 1_000).toFixed(1)} s after the load`,
    ...recoveries.map((r) => `${r.label.padEnd(22)} recovered: next /start answered ${fmt(r.answeredMs)}, /health 200 ${fmt(r.healthyMs)} after the restore`),
    ...environment.unexpectedExits.map((exit) => `${exit.service} exited on its own (${exit.signal ?? `code ${exit.code}`})`),
  ];
  return {
    scenario: 'starts',
    sent: outcome.sent,
    applied: outcome.memberships,
    answered: outcome.answered,
    lost: outcome.lost,
    doubled: outcome.doubled,
    recovery: summarizeRecovery(recoveries.map((r) => r.recoveryMs)),
    rssBefore,
    rssAfter: await environment.rss(),
    failures: outcomeFailures(outcome),
    notes,
    details: {
      rate,
      outcome,
      faults: recoveries.map(({ label, injectedAt, restoredAt, healthyMs, answeredMs }) => ({ label, injectedAt, restoredAt, healthyMs, answeredMs })),
    },
  };
}

const fmt = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1_000).toFixed(1)} s`);

async function waitHealthy(services: readonly { healthy(): Promise<boolean> }[], timeoutMs: number): Promise<number | undefined> {
  const began = Date.now();
  while (Date.now() - began < timeoutMs) {
    if ((await Promise.all(services.map((s) => s.healthy()))).every(Boolean)) return Date.now() - began;
    await sleep(200);
  }
  return undefined;
}
