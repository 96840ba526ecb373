export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile (`p` in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Events per second over `elapsedMs`. */
export function perSecond(events: number, elapsedMs: number): number {
  return (events * 1_000) / elapsedMs;
}

/**
 * Calls `send(i)` for i in [0, count) on a fixed schedule of `ratePerSecond`, without waiting for
 * earlier sends to finish (open loop): a slow send then shows up as latency of the sends behind it
 * instead of silently lowering the rate. Resolves when every send has settled.
 */
export async function paced(ratePerSecond: number, count: number, send: (i: number) => Promise<void>): Promise<void> {
  const intervalMs = 1_000 / ratePerSecond;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  // A send that fails early is reported once all have settled, instead of crashing the process as an
  // unhandled rejection while the schedule goes on.
  let failure: { error: unknown } | undefined;
  for (let i = 0; i < count; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      send(i).catch((error: unknown) => {
        failure ??= { error };
      }),
    );
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}

/**
 * Polls `done` until it is true; fails with `what` after `timeoutMs` so a stuck pipeline cannot hang
 * the bench (`what` may be a function, to report the progress made by then).
 */
export async function waitUntil(
  what: string | (() => string),
  done: () => boolean | Promise<boolean>,
  { timeoutMs = 120_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await sleep(intervalMs);
  }
}

/** Runs `work` on `concurrency` workers that take tasks 0..count-1 from a shared counter. */
export async function runWorkers(concurrency: number, count: number, work: (worker: number, task: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let task = next++; task < count; task = next++) await work(worker, task);
    }),
  );
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
