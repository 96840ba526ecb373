import { describe, expect, it } from '@jest/globals';
import { IncomingRateLimiter, NoticeThrottle } from './incoming-rate-limiter.js';

function limiterWithClock(limit = 20, windowMs = 10_000) {
  const clock = { now: 5_000_000 };
  return { limiter: new IncomingRateLimiter({ limit, windowMs }, () => clock.now), clock };
}

describe('IncomingRateLimiter', () => {
  it('lets a burst of `limit` updates through, then refuses', () => {
    const { limiter } = limiterWithClock();
    const decisions = Array.from({ length: 40 }, () => limiter.take('bot:1'));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(20);
    expect(decisions.slice(0, 20).every((decision) => decision.allowed)).toBe(true);
  });

  it('asks to notify only on the first refusal of a window', () => {
    const { limiter, clock } = limiterWithClock();
    for (let i = 0; i < 20; i++) limiter.take('bot:1');
    expect(limiter.take('bot:1')).toEqual({ allowed: false, notify: true });
    expect(limiter.take('bot:1')).toEqual({ allowed: false, notify: false });
    clock.now += 500; // one token back, spent at once
    expect(limiter.take('bot:1').allowed).toBe(true);
    expect(limiter.take('bot:1')).toEqual({ allowed: false, notify: false });
    clock.now += 10_000;
    for (let i = 0; i < 20; i++) limiter.take('bot:1');
    expect(limiter.take('bot:1')).toEqual({ allowed: false, notify: true });
  });

  it('refills evenly: one update per limit/window', () => {
    const { limiter, clock } = limiterWithClock(20, 10_000);
    for (let i = 0; i < 20; i++) limiter.take('bot:1');
    clock.now += 499;
    expect(limiter.take('bot:1').allowed).toBe(false);
    clock.now += 1;
    expect(limiter.take('bot:1').allowed).toBe(true);
  });

  it('keeps users apart', () => {
    const { limiter } = limiterWithClock(1);
    expect(limiter.take('bot:1').allowed).toBe(true);
    expect(limiter.take('bot:1').allowed).toBe(false);
    expect(limiter.take('bot:2').allowed).toBe(true);
    expect(limiter.take('other-bot:1').allowed).toBe(true);
  });

  it('forgets idle users, so memory follows the active ones', () => {
    const { limiter, clock } = limiterWithClock(20, 10_000);
    for (let user = 0; user < 100; user++) limiter.take(`bot:${user}`);
    expect(limiter.size).toBe(100);
    clock.now += 10_000;
    limiter.take('bot:active');
    expect(limiter.size).toBe(1);
  });

  it('rejects a rule that would refuse everything', () => {
    expect(() => new IncomingRateLimiter({ limit: 0, windowMs: 1000 })).toThrow(RangeError);
  });
});

describe('NoticeThrottle', () => {
  it('notifies a key at most once per interval', () => {
    const clock = { now: 0 };
    const throttle = new NoticeThrottle(60_000, () => clock.now);
    expect(throttle.shouldNotify('a')).toBe(true);
    expect(throttle.shouldNotify('a')).toBe(false);
    expect(throttle.shouldNotify('b')).toBe(true);
    clock.now += 59_999;
    expect(throttle.shouldNotify('a')).toBe(false);
    clock.now += 1;
    expect(throttle.shouldNotify('a')).toBe(true);
  });
});
