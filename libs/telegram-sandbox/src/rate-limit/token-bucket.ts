/** How many sends a bucket allows: `limit` tokens refill evenly over `windowMs`; up to `burst` can be saved up. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
  /** Bucket capacity; defaults to `limit`. */
  burst?: number;
}

/**
 * Classic token bucket. Telegram does not publish its algorithm; a bucket reproduces what bots
 * observe (a short burst passes, then a steady rate) and lets us compute an honest `retry_after`.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly capacity: number;
  private readonly refillPerMs: number;

  constructor(rule: RateLimitRule, now: number) {
    if (rule.limit <= 0 || rule.windowMs <= 0) throw new RangeError('A rate limit needs a positive limit and window');
    this.capacity = Math.max(1, rule.burst ?? rule.limit);
    this.refillPerMs = rule.limit / rule.windowMs;
    this.tokens = this.capacity;
    this.updatedAt = now;
  }

  /** Milliseconds until one token is available (0 when one is available now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.refillPerMs;
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** True once the bucket is full again, so idle buckets can be forgotten. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerMs);
    this.updatedAt = now;
  }
}
