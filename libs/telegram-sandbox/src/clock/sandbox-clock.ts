/**
 * Simulated wall clock: real time plus an offset that only grows. Message dates, subscription
 * expirations and star transaction dates read it, so a test can make 30 days pass instantly
 * while timers (long polling, pre-checkout deadlines) keep running on real time.
 */
export class SandboxClock {
  private offsetMs = 0;

  constructor(
    startAt?: Date,
    private readonly realNow: () => number = Date.now,
  ) {
    if (startAt) this.offsetMs = startAt.getTime() - realNow();
  }

  /** How far simulated time runs ahead of real time; persisted so advanced time stays advanced. */
  get offset(): number {
    return this.offsetMs;
  }

  restoreOffset(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }

  /** Simulated time in milliseconds since the epoch. */
  nowMs(): number {
    return this.realNow() + this.offsetMs;
  }

  /** Simulated time as Telegram writes it: whole seconds since the epoch. */
  unixTime(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Moves simulated time forward; going back is refused because ledgers assume monotonic dates. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot advance the clock by ${ms} ms`);
    this.offsetMs += ms;
  }
}
