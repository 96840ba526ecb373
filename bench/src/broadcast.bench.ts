import { JetStreamEventBus } from '@botplatform/bus';
import { BroadcastRig, type SandboxSend } from '@botplatform/platform';
import type { BenchLine } from './report.js';

/**
 * Members of the free and the paid broadcast. The figure is 100,000 for both, which at 25/s is
 * over an hour for the free one: by default the free rate is measured on 3,000 (two minutes) and the
 * paid one on 30,000; `BENCH_BROADCAST_MEMBERS` sets both (`100000` for the run) and
 * `BENCH_BROADCAST_FREE_MEMBERS` / `BENCH_BROADCAST_PAID_MEMBERS` one each.
 */
export interface BroadcastBenchSizes {
  readonly free: number;
  readonly paid: number;
}

export function broadcastBenchSizes(env: NodeJS.ProcessEnv = process.env): BroadcastBenchSizes {
  const both = env.BENCH_BROADCAST_MEMBERS ? Number(env.BENCH_BROADCAST_MEMBERS) : undefined;
  const sizes = {
    free: Number(env.BENCH_BROADCAST_FREE_MEMBERS ?? both ?? 3_000),
    paid: Number(env.BENCH_BROADCAST_PAID_MEMBERS ?? both ?? 30_000),
  };
  for (const [kind, n] of Object.entries(sizes)) {
    if (!Number.isInteger(n) || n < 10) throw new RangeError(`the ${kind} broadcast needs a whole number of at least 10 members, not ${n}`);
  }
  return sizes;
}

/** The rate a free broadcast aims at (the service's default: 25 of the bot's 30/s, the rest left to its other messages). */
const FREE_RATE = 25;
/** The paid broadcast's rate here: 5 % under Telegram's 1000/s paid limit. */
const PAID_RATE = 950;
/** The ramp (the sender's slow start) is left out of the rate: it is measured from this long after the first message. */
const WARM_UP_MS = 2_000;

export interface BroadcastBenchTarget {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly namespace: string;
}

/**
 * Broadcasts through the whole path with the sandbox's limits on (Telegram's: 30/s per bot, 1000/s with
 * `allow_paid_broadcast`, 1/s per chat): the notifications service's sender, the outbound events over
 * JetStream, the gateway's queue, throttle and Bot API calls, the sandbox; the outcomes back the same
 * way. The rate is the sandbox's count of accepted sends over its clock, after the warm-up; raw is the
 * configured rate. 429s are counted from the sandbox's log; the paid one's Stars from its ledger.
 */
export async function runBroadcastBench(target: BroadcastBenchTarget, sizes: BroadcastBenchSizes, log: (line: string) => void): Promise<BenchLine[]> {
  const bus = await JetStreamEventBus.connect(target.natsUrl, 'bench-broadcast', { namespace: target.namespace, relay: { pollIntervalMs: 20 } });
  let rig: BroadcastRig | undefined;
  try {
    rig = await BroadcastRig.start({ databaseUrl: target.databaseUrl, bus, broadcast: { ratePerSecond: FREE_RATE, paidRatePerSecond: PAID_RATE } });
    const free = await measure(rig, 'free', sizes.free, FREE_RATE, log);
    const paid = await measure(rig, 'paid', sizes.paid, PAID_RATE, log);
    const line = (kind: 'free' | 'paid', n: number) => `broadcast to ${n.toLocaleString('en')} sandbox members, ${kind}`;
    return [
      {
        scenario: 'broadcast',
        line: `${line('free', sizes.free)}: achieved rate vs configured (limits on)`,
        unit: 'msg/s',
        better: 'higher',
        ours: free.rate,
        raw: FREE_RATE,
        aim: { on: 'raw', ratio: 0.98 },
        details: free.details,
      },
      { scenario: 'broadcast', line: `${line('free', sizes.free)}: 429s`, unit: '429s', better: 'lower', ours: free.refused, raw: 0, aim: zero429 },
      {
        scenario: 'broadcast',
        line: `${line('paid', sizes.paid)} (allow_paid_broadcast): achieved rate vs configured (limits on)`,
        unit: 'msg/s',
        better: 'higher',
        ours: paid.rate,
        raw: PAID_RATE,
        aim: [
          { on: 'raw', ratio: 0.98 },
          { on: 'absolute', value: 900, what: 'msg/s' },
        ],
        details: paid.details,
      },
      { scenario: 'broadcast', line: `${line('paid', sizes.paid)}: 429s`, unit: '429s', better: 'lower', ours: paid.refused, raw: 0, aim: zero429 },
      {
        scenario: 'broadcast',
        line: `${line('paid', sizes.paid)}: Stars charged (tenths), exactly 0.1 per message`,
        unit: 'tenths of a Star',
        better: 'lower',
        ours: paid.chargedTenths,
        raw: sizes.paid,
        aim: { on: 'raw', ratio: 1 },
      },
    ];
  } finally {
    await rig?.close();
    await bus.close();
  }
}

const zero429 = { on: 'absolute', value: 1, what: '(none)' } as const;

interface Measured {
  readonly rate: number;
  readonly refused: number;
  readonly chargedTenths: number;
  readonly details: Record<string, number>;
}

async function measure(rig: BroadcastRig, kind: 'free' | 'paid', members: number, rate: number, log: (line: string) => void): Promise<Measured> {
  const language = kind === 'free' ? 'en' : 'de';
  const seeding = performance.now();
  await rig.addMembers(members, language);
  await rig.setPaidBroadcasts(kind === 'paid');
  if (kind === 'paid') rig.sandbox.grantBotStars(rig.bot, Math.ceil(members / 10));
  const balance = rig.sandbox.botStarBalanceTenths(rig.bot);
  log(`  ${kind}: ${members} members seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s; broadcasting at ${rate}/s…`);
  const mark = rig.sends.length;
  const started = performance.now();
  const { id } = await rig.broadcast(`Bench ${kind} broadcast`, { audience: { kind: 'language', language } });
  // Three times the ideal, and two minutes for the start and the end.
  await rig.finished(id, Math.ceil((members / rate) * 3_000) + 120_000);
  const seconds = (performance.now() - started) / 1000;
  const sends = rig.sends.slice(mark);
  const accepted = sends.filter((s) => s.method === 'sendMessage' && s.ok).slice(0, members);
  const refused = sends.filter((s) => s.status.startsWith('429')).length;
  const steady = steadyRate(accepted);
  const report = (await rig.broadcasts.view(rig.actor, id)).report;
  const chargedTenths = balance - rig.sandbox.botStarBalanceTenths(rig.bot);
  log(
    `  ${kind}: ${accepted.length} sent in ${seconds.toFixed(1)} s, ${steady.toFixed(1)}/s after the warm-up ` +
      `(${overallRate(accepted).toFixed(1)}/s first to last), ${refused} 429s, report ${JSON.stringify(report)}` +
      (kind === 'paid' ? `, charged ${chargedTenths / 10} Stars` : ''),
  );
  return {
    rate: steady,
    refused,
    chargedTenths,
    details: {
      members,
      sent: report?.sent ?? 0,
      failed: report?.failed ?? 0,
      secondsToFinish: Number(seconds.toFixed(1)),
      overallRate: Number(overallRate(accepted).toFixed(1)),
    },
  };
}

function overallRate(sends: readonly SandboxSend[]): number {
  return sends.length < 2 ? 0 : ((sends.length - 1) * 1000) / (sends.at(-1)!.at - sends[0].at);
}

/** Sends per second from `WARM_UP_MS` after the first to the last (the first to the last when too few). */
function steadyRate(sends: readonly SandboxSend[]): number {
  if (sends.length < 2) return 0;
  const from = sends.findIndex((s) => s.at - sends[0].at >= WARM_UP_MS);
  if (from < 0 || sends.length - from < 10) return overallRate(sends);
  return overallRate(sends.slice(from));
}
