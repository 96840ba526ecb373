import { JetStreamEventBus } from '@botplatform/bus';
import { BroadcastRig, type SandboxSend } from '@botplatform/platform';
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BenchLine } from './report.js';

/**
 * The issue's figure: a broadcast to 100,000 members, free and paid. The paid one (about 1000/s) goes to
 * all of them. The free one, at 25/s, would take over an hour: its rate is measured over a fixed steady
 * window (`window` seconds from `WARM_UP_MS` after its first message), then the rest is cancelled through
 * the product's own cancel (`BroadcastUseCases.cancel`); `BENCH_BROADCAST_FREE_TO_COMPLETION=1` sends it
 * to every member instead. `BENCH_BROADCAST_MEMBERS` sets both audiences, `BENCH_BROADCAST_FREE_MEMBERS` /
 * `BENCH_BROADCAST_PAID_MEMBERS` one each, `BENCH_BROADCAST_FREE_WINDOW_S` the window (default 60 s).
 */
export interface BroadcastBenchSizes {
  readonly free: number;
  readonly paid: number;
  /** Seconds of the free broadcast's rate measured before it is cancelled; undefined: to completion. */
  readonly freeWindowSeconds: number | undefined;
}

export function broadcastBenchSizes(env: NodeJS.ProcessEnv = process.env): BroadcastBenchSizes {
  const both = env.BENCH_BROADCAST_MEMBERS ? Number(env.BENCH_BROADCAST_MEMBERS) : undefined;
  const members = {
    free: Number(env.BENCH_BROADCAST_FREE_MEMBERS ?? both ?? 100_000),
    paid: Number(env.BENCH_BROADCAST_PAID_MEMBERS ?? both ?? 100_000),
  };
  for (const [kind, n] of Object.entries(members)) {
    if (!Number.isInteger(n) || n < 10) throw new RangeError(`the ${kind} broadcast needs a whole number of at least 10 members, not ${n}`);
  }
  const toCompletion = env.BENCH_BROADCAST_FREE_TO_COMPLETION === '1' || env.BENCH_BROADCAST_FREE_TO_COMPLETION === 'true';
  const window = Number(env.BENCH_BROADCAST_FREE_WINDOW_S ?? 60);
  if (!toCompletion && !(window >= 5))
    throw new RangeError(`BENCH_BROADCAST_FREE_WINDOW_S must be at least 5 seconds, not ${env.BENCH_BROADCAST_FREE_WINDOW_S}`);
  return { ...members, freeWindowSeconds: toCompletion ? undefined : window };
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
 * way. The sandbox runs in a child process of its own, as Telegram is not in ours: its limits are
 * enforced there, and the sends, the 429s and the Stars are read back from it. The rate is the sandbox's
 * count of accepted sends over its clock, after the warm-up; raw is the configured rate.
 */
export async function runBroadcastBench(target: BroadcastBenchTarget, sizes: BroadcastBenchSizes, log: (line: string) => void): Promise<BenchLine[]> {
  const bus = await JetStreamEventBus.connect(target.natsUrl, 'bench-broadcast', { namespace: target.namespace, relay: { pollIntervalMs: 20 } });
  let rig: BroadcastRig | undefined;
  try {
    rig = await BroadcastRig.start({
      databaseUrl: target.databaseUrl,
      bus,
      broadcast: { ratePerSecond: FREE_RATE, paidRatePerSecond: PAID_RATE },
      sandboxProcess: true,
    });
    const free = await measure(rig, 'free', sizes.free, FREE_RATE, sizes.freeWindowSeconds, log);
    const paid = await measure(rig, 'paid', sizes.paid, PAID_RATE, undefined, log);
    const freeLine = `broadcast to ${sizes.free.toLocaleString('en')} sandbox members, free${
      sizes.freeWindowSeconds === undefined ? '' : ` (rate over ${sizes.freeWindowSeconds} s, the rest cancelled)`
    }`;
    const paidLine = `broadcast to ${sizes.paid.toLocaleString('en')} sandbox members, paid`;
    return [
      {
        scenario: 'broadcast',
        line: `${freeLine}: achieved rate vs configured (limits on)`,
        unit: 'msg/s',
        better: 'higher',
        ours: free.rate,
        raw: FREE_RATE,
        aim: { on: 'raw', ratio: 0.98 },
        details: free.details,
      },
      { scenario: 'broadcast', line: `${freeLine}: 429s`, unit: '429s', better: 'lower', ours: free.refused, raw: 0, aim: zero429 },
      {
        scenario: 'broadcast',
        line: `${paidLine} (allow_paid_broadcast): achieved rate vs configured (limits on)`,
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
      { scenario: 'broadcast', line: `${paidLine}: 429s`, unit: '429s', better: 'lower', ours: paid.refused, raw: 0, aim: zero429 },
      {
        scenario: 'broadcast',
        line: `${paidLine}: Stars charged (tenths), exactly 0.1 per message`,
        unit: 'tenths of a Star',
        better: 'lower',
        ours: paid.chargedTenths,
        raw: paid.details.sent,
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

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function measure(
  rig: BroadcastRig,
  kind: 'free' | 'paid',
  members: number,
  rate: number,
  windowSeconds: number | undefined,
  log: (line: string) => void,
): Promise<Measured> {
  const language = kind === 'free' ? 'en' : 'de';
  const seeding = performance.now();
  await rig.addMembers(members, language);
  const seedingSeconds = (performance.now() - seeding) / 1000;
  await rig.setPaidBroadcasts(kind === 'paid');
  if (kind === 'paid') await rig.telegram.grantBotStars(Math.ceil(members / 10));
  const balance = await rig.telegram.botStarBalanceTenths();
  log(
    `  ${kind}: ${members.toLocaleString('en')} members seeded in ${seedingSeconds.toFixed(1)} s; broadcasting at ${rate}/s` +
      (windowSeconds === undefined ? '…' : `, measured over ${windowSeconds} s after a ${WARM_UP_MS / 1000} s warm-up, then cancelled…`),
  );
  const mark = await rig.telegram.sendCount();
  const started = performance.now();
  const { id } = await rig.broadcast(`Bench ${kind} broadcast`, { audience: { kind: 'language', language } });
  const tracing = traceEverySecond(rig, id, kind, mark);
  let cancelledAfter: number | undefined;
  let seconds: number;
  try {
    if (windowSeconds !== undefined) {
      const first = await firstSendAt(rig, mark, 120_000);
      const until = first + WARM_UP_MS + windowSeconds * 1000;
      while (now() < until + 1_000) await sleep(Math.min(1_000, until + 1_000 - now()));
      await rig.broadcasts.cancel(rig.actor, id);
      cancelledAfter = (performance.now() - started) / 1000;
    }
    // Three times the ideal, and two minutes for the start and the end.
    await rig.finished(id, (windowSeconds ?? members / rate) * 3_000 + 120_000);
    seconds = (performance.now() - started) / 1000;
  } finally {
    await tracing.stop();
  }
  const report = (await rig.broadcasts.view(rig.actor, id)).report;
  // The report to the admin leaves after the broadcast finished: waited for, so the next broadcast's
  // sends start after it, and left out of this one's.
  const expected = mark + (report?.sent ?? 0) + 1;
  for (const deadline = performance.now() + 60_000; (await rig.telegram.sendCount()) < expected && performance.now() < deadline; ) await sleep(100);
  const sends = await rig.telegram.sends(mark);
  // The broadcast's messages: the last one accepted is its report to the admin.
  const accepted = sends.filter((s) => s.method === 'sendMessage' && s.ok).slice(0, -1);
  const refused = sends.filter((s) => s.status.startsWith('429')).length;
  const achieved = windowSeconds === undefined ? steadyRate(accepted) : windowRate(accepted, windowSeconds);
  const chargedTenths = balance - (await rig.telegram.botStarBalanceTenths());
  log(
    `  ${kind}: ${accepted.length.toLocaleString('en')} sent in ${seconds.toFixed(1)} s` +
      (cancelledAfter === undefined ? '' : ` (cancelled after ${cancelledAfter.toFixed(1)} s)`) +
      `, ${achieved.toFixed(1)}/s ${windowSeconds === undefined ? 'after the warm-up' : `over the ${windowSeconds} s window`} ` +
      `(${overallRate(accepted).toFixed(1)}/s first to last), ${refused} 429s, report ${JSON.stringify(report)}` +
      (kind === 'paid' ? `, charged ${chargedTenths / 10} Stars for ${accepted.length} messages` : ''),
  );
  log(`  ${kind}: accepted per second, by 5 s: ${timeline(accepted).join(' ')}`);
  return {
    rate: achieved,
    refused,
    chargedTenths,
    details: {
      members,
      seedingSeconds: Number(seedingSeconds.toFixed(1)),
      sent: report?.sent ?? 0,
      failed: report?.failed ?? 0,
      cancelled: report?.cancelled ?? 0,
      secondsToFinish: Number(seconds.toFixed(1)),
      overallRate: Number(overallRate(accepted).toFixed(1)),
    },
  };
}

/**
 * With `BENCH_BROADCAST_TRACE=<file>`, a line a second into that file while the broadcast runs: the
 * sandbox's sends that second, the sender's window and what it counted, the
 * gateway's queue and in-flight, the events the relays have not published, and this process's event-loop
 * delay (the notifications service, the gateway and both relays share it). Where a stall comes from.
 */
function traceEverySecond(rig: BroadcastRig, id: string, kind: string, mark: number): { stop(): Promise<void> } {
  const file = process.env.BENCH_BROADCAST_TRACE;
  if (!file) return { stop: async () => undefined };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const start = performance.now();
  let sent = mark;
  let stopped = false;
  const write = (line: string) => appendFileSync(file, `${line}\n`);
  write(
    `# ${kind} ${id} clock kind t sends/s | sender window(rate) pace transit roundtrip tokens req pending released | gateway queued sending inFlight | unpublished notif gw | loop p50 max ms`,
  );
  const running = (async () => {
    while (!stopped) {
      await sleep(1_000 - ((performance.now() - start) % 1_000));
      try {
        const count = await rig.telegram.sendCount();
        const t = await rig.trace(id);
        const s = t.sender;
        const f = (n: number | undefined, d = 0) => (n === undefined ? '-' : n.toFixed(d));
        write(
          `${new Date().toISOString().slice(11, 19)} ${kind} ${((performance.now() - start) / 1000).toFixed(0).padStart(4)} ${String(count - sent).padStart(4)} | ` +
            `${s ? `${s.window}(${f(s.windowRate)}) ${f(s.measuredPace)} ${f(s.transitSeconds, 2)} ${f(s.roundTripSeconds, 2)} ${f(s.tokens)} ${s.requested} ${s.pending} ${s.released}` : '-'} | ` +
            `${t.gateway.queued} ${t.gateway.sending} ${t.gateway.inFlight} | ` +
            `${t.unpublished.notifications} ${t.unpublished.gateway} | ${(loop.percentile(50) / 1e6).toFixed(0)} ${(loop.max / 1e6).toFixed(0)}`,
        );
        sent = count;
      } catch (error) {
        write(`${kind} trace failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      loop.reset();
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await running;
      loop.disable();
    },
  };
}

/** When the sandbox accepted the broadcast's first message (wall clock). */
async function firstSendAt(rig: BroadcastRig, mark: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await rig.telegram.sendCount()) > mark) {
      const first = (await rig.telegram.sends(mark)).find((s) => s.method === 'sendMessage' && s.ok);
      if (first) return first.at;
    }
    await sleep(100);
  }
  throw new Error(`no message of the broadcast was sent within ${timeoutMs} ms`);
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

/** Sends accepted in the `seconds` from `WARM_UP_MS` after the first, per second. */
function windowRate(sends: readonly SandboxSend[], seconds: number): number {
  if (!sends.length) return 0;
  const from = sends[0].at + WARM_UP_MS;
  const to = from + seconds * 1000;
  return sends.filter((s) => s.at >= from && s.at < to).length / seconds;
}

/** Accepted sends per second in each 5 s from the first: where a ramp or a stall shows. */
function timeline(sends: readonly SandboxSend[]): string[] {
  if (!sends.length) return [];
  const slices: number[] = [];
  for (const send of sends) {
    const slice = Math.floor((send.at - sends[0].at) / 5_000);
    slices[slice] = (slices[slice] ?? 0) + 1;
  }
  return Array.from(slices, (n) => ((n ?? 0) / 5).toFixed(0));
}
