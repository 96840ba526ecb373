import { TokenBucket } from '../rate-limit/token-bucket.js';

export interface IncomingRateLimit {
  /** Updates a user may send in one window (also the burst allowed after a quiet period). */
  readonly limit: number;
  readonly windowMs: number;
}

/** 20 updates per 10 s per user and bot: generous for a human, tight for a script. */
export const DEFAULT_INCOMING_RATE_LIMIT: IncomingRateLimit = { limit: 20, windowMs: 10_000 };

/** The outcome of one update against its sender's bucket. */
export interface RateDecision {
  readonly allowed: boolean;
  /** Only on a refusal: true for the first refusal of a window, when the user should be told once. */
  readonly notify: boolean;
}

interface Bucket {
  readonly tokens: TokenBucket;
  lastNoticeAt: number;
}

/**
 * Token buckets per key (bot and user): `limit` tokens, refilled evenly over `windowMs`. Kept in memory:
 * a flood is a property of one gateway's traffic, and losing the buckets on restart only forgives.
 */
export class IncomingRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweepAt: number;

  constructor(
    private readonly rule: IncomingRateLimit = DEFAULT_INCOMING_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {
    if (!(rule.limit >= 1) || !(rule.windowMs > 0)) throw new RangeError(`invalid incoming rate limit ${JSON.stringify(rule)}`);
    this.sweepAt = this.now() + rule.windowMs;
  }

  /** Takes one token for `key`; refused when the bucket is empty. */
  take(key: string): RateDecision {
    const now = this.now();
    this.sweepIdle(now);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: new TokenBucket(this.rule, now), lastNoticeAt: Number.NEGATIVE_INFINITY };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens.waitMs(now) === 0) {
      bucket.tokens.take(now);
      return { allowed: true, notify: false };
    }
    const notify = now - bucket.lastNoticeAt >= this.rule.windowMs;
    if (notify) bucket.lastNoticeAt = now;
    return { allowed: false, notify };
  }

  /** Buckets tracked right now (idle ones are dropped about once a window). */
  get size(): number {
    return this.buckets.size;
  }

  /** A bucket full again and past its notice window is the same as no bucket: drop it to bound memory. */
  private sweepIdle(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + this.rule.windowMs;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens.isFull(now) && now - bucket.lastNoticeAt >= this.rule.windowMs) this.buckets.delete(key);
    }
  }
}

/**
 * At most one notice per key and interval ("you are blocked" once a minute), so a refused user cannot
 * make the bot spend its own Telegram send limits on refusals.
 */
export class NoticeThrottle {
  private readonly lastNotice = new Map<string, number>();
  private sweepAt: number;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweepAt = this.now() + intervalMs;
  }

  /** True when `key` was not notified within the interval; records the notice. */
  shouldNotify(key: string): boolean {
    const now = this.now();
    if (now >= this.sweepAt) {
      this.sweepAt = now + this.intervalMs;
      for (const [k, at] of this.lastNotice) if (now - at >= this.intervalMs) this.lastNotice.delete(k);
    }
    const last = this.lastNotice.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.lastNotice.set(key, now);
    return true;
  }
}
