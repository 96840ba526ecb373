import { parseArgs } from 'node:util';

export const SCENARIO_KEYS = ['starts', 'purchases', 'storm', 'idle', 'probe'] as const;
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];

/** Every count and bound of the suite; the defaults are the hardening issue's figures. */
export interface ChaosOptions {
  readonly scenarios: readonly ScenarioKey[];
  /** starts: distinct users, one `/start` each. */
  readonly starts: number;
  /** starts: `/start`s per second; default: spread over the fault schedule. */
  readonly rate: number | undefined;
  /** purchases: members buying a plan for Stars, once each. */
  readonly purchases: number;
  /** starts and purchases: kill -9 of each service on the path, this many times. */
  readonly kills: number;
  readonly restartDelayMs: number;
  readonly outages: number;
  readonly outageMs: number;
  /** starts: pause after a fault is undone before the next one. */
  readonly faultGapMs: number;
  /** How long everything may take to settle after the load. */
  readonly settleTimeoutMs: number;
  /** …and stops waiting early when nothing changed for this long (what is missing stays missing). */
  readonly giveUpAfterMs: number;
  readonly storm: number;
  readonly stormIntervalMs: number;
  readonly stormTrickleRate: number;
  readonly stormBoundMs: number;
  readonly outbound: number;
  readonly idleWindowMs: number;
  readonly idleBoundTps: number;
}

const DEFAULTS: Omit<ChaosOptions, 'scenarios' | 'rate'> = {
  starts: 500,
  purchases: 100,
  kills: 3,
  restartDelayMs: 1_500,
  outages: 2,
  outageMs: 5_000,
  faultGapMs: 2_000,
  settleTimeoutMs: 120_000,
  giveUpAfterMs: 30_000,
  storm: 13,
  stormIntervalMs: 1_000,
  stormTrickleRate: 2,
  stormBoundMs: 10_000,
  outbound: 300,
  idleWindowMs: 5_000,
  idleBoundTps: 50,
};

/** `--quick`: a smoke run of about a minute per scenario with fewer of everything; the bounds stay. */
const QUICK: Partial<ChaosOptions> = {
  starts: 60,
  purchases: 20,
  kills: 1,
  outages: 1,
  outageMs: 3_000,
  storm: 5,
  outbound: 60,
  settleTimeoutMs: 60_000,
  giveUpAfterMs: 10_000,
};

export const USAGE = `usage: npm run chaos -- [--scenario starts|purchases|storm|idle|probe]... [--quick] [counts]
  --quick                    smoke run: ${JSON.stringify(QUICK)}
  --starts N                 users sending one /start each (${DEFAULTS.starts})
  --rate N                   /starts per second (default: spread over the fault schedule)
  --purchases N              members buying a plan for Stars once each (${DEFAULTS.purchases})
  --kills N                  kill -9 of each service on the path, N times (${DEFAULTS.kills})
  --restart-delay-ms N       a killed service is started again after (${DEFAULTS.restartDelayMs})
  --outages N                broker outages (${DEFAULTS.outages}) of --outage-ms (${DEFAULTS.outageMs})
  --fault-gap-ms N           pause between one fault's end and the next (${DEFAULTS.faultGapMs})
  --settle-timeout-ms N      wait for answers after the load (${DEFAULTS.settleTimeoutMs})
  --give-up-after-ms N       …or until nothing changed for (${DEFAULTS.giveUpAfterMs})
  --storm N                  pg_terminate_backend rounds (${DEFAULTS.storm}) every --storm-interval-ms (${DEFAULTS.stormIntervalMs})
  --storm-trickle-rate N     /starts per second during the storm (${DEFAULTS.stormTrickleRate})
  --storm-bound-ms N         recovery bound after the storm (${DEFAULTS.stormBoundMs})
  --outbound N               outbound messages before the idle measurement (${DEFAULTS.outbound})
  --idle-window-ms N         idle measurement window (${DEFAULTS.idleWindowMs})
  --idle-bound-tps N         gateway transactions/s allowed when idle (< ${DEFAULTS.idleBoundTps})`;

export class UsageError extends Error {}

export function parseChaosOptions(argv: readonly string[]): ChaosOptions | 'help' {
  const numberFlags = {
    starts: 'starts',
    purchases: 'purchases',
    rate: 'rate',
    kills: 'kills',
    'restart-delay-ms': 'restartDelayMs',
    outages: 'outages',
    'outage-ms': 'outageMs',
    'fault-gap-ms': 'faultGapMs',
    'settle-timeout-ms': 'settleTimeoutMs',
    'give-up-after-ms': 'giveUpAfterMs',
    storm: 'storm',
    'storm-interval-ms': 'stormIntervalMs',
    'storm-trickle-rate': 'stormTrickleRate',
    'storm-bound-ms': 'stormBoundMs',
    outbound: 'outbound',
    'idle-window-ms': 'idleWindowMs',
    'idle-bound-tps': 'idleBoundTps',
  } as const;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string', multiple: true },
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(numberFlags).map((flag) => [flag, { type: 'string' as const }])),
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) return 'help';

  const scenarios = ((values.scenario as string[] | undefined) ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  const unknown = scenarios.filter((s) => !SCENARIO_KEYS.some((k) => k === s));
  if (unknown.length) throw new UsageError(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIO_KEYS.join(', ')}`);

  const options: Record<string, unknown> = { ...DEFAULTS, ...(values.quick ? QUICK : {}), rate: undefined };
  for (const [flag, key] of Object.entries(numberFlags)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${flag} must be a number >= 0, got "${String(raw)}"`);
    options[key] = value;
  }
  if (options.rate !== undefined && !((options.rate as number) > 0)) throw new UsageError('--rate must be > 0');
  return {
    ...(options as Omit<ChaosOptions, 'scenarios'>),
    scenarios: scenarios.length ? SCENARIO_KEYS.filter((k) => scenarios.includes(k)) : SCENARIO_KEYS,
  };
}
