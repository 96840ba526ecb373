/** `limit` tokens per `windowMs`, refilled evenly; up to `burst` (default `limit`) can be saved up. */
export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
  readonly burst?: number;
}

const TOLERANCE = 1e-9;

/**
 * A classic token bucket on an injected clock (milliseconds): the outbound throttle's send limits and
 * the incoming per-user limit both count with it.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly capacity: number;
  private readonly refillPerMs: number;

  constructor(rule: RateRule, now: number) {
    if (!(rule.limit > 0) || !(rule.windowMs > 0)) throw new RangeError(`invalid rate ${JSON.stringify(rule)}: it needs a positive limit and window`);
    this.capacity = Math.max(1, rule.burst ?? rule.limit);
    this.refillPerMs = rule.limit / rule.windowMs;
    this.tokens = this.capacity;
    this.updatedAt = now;
  }

  /** Milliseconds until a token is available; 0 when one is. */
  waitMs(now: number): number {
    this.refill(now);
    // Refills are fractions (3 per 60 s): without the tolerance a whole wait can come up 1e-12 short.
    return this.tokens >= 1 - TOLERANCE ? 0 : (1 - this.tokens) / this.refillPerMs;
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerMs);
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
