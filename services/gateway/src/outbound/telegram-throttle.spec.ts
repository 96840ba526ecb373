import { GrammyError } from 'grammy';
import { TelegramThrottle, type TelegramSendLimits, type ThrottleClock } from './telegram-throttle.js';

/** Time that moves only when the test says so; sleepers wake in order, each after the work it caused. */
class FakeClock implements ThrottleClock {
  private time = 0;
  private timers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.timers.push({ at: this.time + ms, wake }));
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.wake();
    }
    this.time = end;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

const tooManyRequests = (seconds: number) =>
  new GrammyError(
    `Call to 'sendMessage' failed! (429: Too Many Requests: retry after ${seconds})`,
    { ok: false, error_code: 429, description: `Too Many Requests: retry after ${seconds}`, parameters: { retry_after: seconds } },
    'sendMessage',
    {},
  );
const forbidden = () =>
  new GrammyError(
    "Call to 'sendMessage' failed! (403: Forbidden: bot was blocked by the user)",
    { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    'sendMessage',
    {},
  );

const BOT = { botId: 'bot-a', tokenVersion: 1 };
const ALICE = 101;
const BOB = 102;
const GROUP = -1001;

describe('TelegramThrottle', () => {
  let clock: FakeClock;
  /** When each call reached "Telegram", by label. */
  let calls: { label: string; at: number }[];

  const throttle = (limits: Partial<TelegramSendLimits>, options: { max429Retries?: number; maxRetryAfterSeconds?: number } = {}) =>
    new TelegramThrottle({ clock, limits, ...options });
  const ok = (label: string) => async () => {
    calls.push({ label, at: clock.now() });
    return label;
  };
  const timesOf = (prefix: string) => calls.filter((c) => c.label.startsWith(prefix)).map((c) => c.at);

  beforeEach(() => {
    clock = new FakeClock();
    calls = [];
  });

  describe('in one private chat', () => {
    it('spaces the sends at the per-chat rate', async () => {
      const t = throttle({ perChat: { limit: 1, windowMs: 1_000, burst: 1 } });
      const sent = [1, 2, 3].map((n) => t.send(BOT, ALICE, ok(`a${n}`)));
      await clock.advance(5_000);
      expect(await Promise.all(sent)).toEqual([1, 2, 3].map((n) => ({ ok: true, value: `a${n}`, attempts: 1 })));
      expect(timesOf('a')).toEqual([0, 1_000, 2_000]);
    });

    it('keeps the order of the sends, however long each call takes', async () => {
      const t = throttle({ perChat: { limit: 100, windowMs: 1_000 } });
      const slow = async () => {
        await clock.sleep(300);
        calls.push({ label: 'first', at: clock.now() });
      };
      void t.send(BOT, ALICE, slow);
      void t.send(BOT, ALICE, ok('second'));
      await clock.advance(1_000);
      expect(calls.map((c) => c.label)).toEqual(['first', 'second']);
    });
    it('counts the limits again when the calls leave, so slots released together after a slow beforeCall do not burst', async () => {
      const t = throttle({ perChat: { limit: 1, windowMs: 1_000, burst: 1 }, perBot: { limit: 10, windowMs: 1_000, burst: 1 } });
      // One shared step before the calls (the delivery worker's mark of several rows in one statement)
      // lets the slots taken at 0, 100, 200 and 300 ms go together at 400 ms.
      const marked = clock.sleep(400);
      const sent = [1, 2, 3, 4].map((n) => t.send(BOT, ALICE + n, ok(`c${n}`), 'bulk', () => marked));
      await clock.advance(2_000);
      expect((await Promise.all(sent)).every((outcome) => outcome.ok)).toBe(true);
      expect(timesOf('c')).toEqual([400, 500, 600, 700]);
    });

    it('does not call when beforeCall throws, and says why', async () => {
      const t = throttle({});
      const refused = new Error('the worker stopped');
      const outcome = t.send(BOT, ALICE, ok('never'), 'bulk', () => Promise.reject(refused));
      await clock.advance(1_000);
      expect(await outcome).toEqual({ ok: false, error: refused, attempts: 0 });
      expect(calls).toEqual([]);
    });
  });

  describe('across chats', () => {
    it('does not make one chat wait for another', async () => {
      const t = throttle({ perChat: { limit: 1, windowMs: 1_000, burst: 1 }, perBot: { limit: 30, windowMs: 1_000 } });
      void t.send(BOT, ALICE, ok('a1'));
      void t.send(BOT, ALICE, ok('a2'));
      void t.send(BOT, BOB, ok('b1'));
      await clock.advance(2_000);
      expect(timesOf('a')).toEqual([0, 1_000]);
      expect(timesOf('b')).toEqual([0]);
    });

    it('sends paid broadcast messages in their own lane, at its rate, while the bulk lane keeps its own', async () => {
      const t = throttle({
        perBot: { limit: 2, windowMs: 1_000, burst: 2 },
        perBotPaid: { limit: 10, windowMs: 1_000, burst: 10 },
        perChat: { limit: 10, windowMs: 1_000 },
      });
      for (let chat = 1; chat <= 20; chat++) void t.send(BOT, chat, ok(`p${chat}`), 'paid');
      for (let chat = 101; chat <= 104; chat++) void t.send(BOT, chat, ok(`b${chat}`));
      await clock.advance(1_000);
      // 10 at once, then one every 100 ms: 20 paid within a second where the bulk lane lets 2 + 2.
      expect(timesOf('p')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]);
      expect(timesOf('b')).toEqual([0, 0, 500, 1_000]);
    });

    it('spreads a bot’s sends over time at its overall rate', async () => {
      const t = throttle({ perBot: { limit: 2, windowMs: 1_000, burst: 2 }, perChat: { limit: 10, windowMs: 1_000 } });
      for (let chat = 1; chat <= 6; chat++) void t.send(BOT, chat, ok(`c${chat}`));
      await clock.advance(3_000);
      expect(timesOf('c')).toEqual([0, 0, 500, 1_000, 1_500, 2_000]);
    });

    it('gives each bot token its own limits, a rotated token included', async () => {
      const t = throttle({ perBot: { limit: 1, windowMs: 1_000, burst: 1 }, perChat: { limit: 10, windowMs: 1_000 } });
      void t.send(BOT, ALICE, ok('v1'));
      void t.send({ botId: 'bot-a', tokenVersion: 2 }, ALICE, ok('v2'));
      void t.send({ botId: 'bot-b', tokenVersion: 1 }, ALICE, ok('other bot'));
      await clock.advance(0);
      expect(calls.map((c) => c.at)).toEqual([0, 0, 0]);
    });
  });

  describe('in a group', () => {
    it('holds the group to its per-minute limit on top of the per-chat rate', async () => {
      const t = throttle({ perChat: { limit: 1, windowMs: 1_000, burst: 1 }, perGroup: { limit: 3, windowMs: 60_000 } });
      const sent = [1, 2, 3, 4].map((n) => t.send(BOT, GROUP, ok(`g${n}`)));
      await clock.advance(30_000);
      expect(timesOf('g')).toEqual([0, 1_000, 2_000, 20_000]);
      expect((await Promise.all(sent)).every((o) => o.ok)).toBe(true);
    });
  });

  describe('when Telegram answers 429', () => {
    it('pauses the chat for retry_after, retries the same call and counts the attempts', async () => {
      const t = throttle({ perChat: { limit: 100, windowMs: 1_000 } });
      let answers = 0;
      const limitedOnce = async () => {
        calls.push({ label: 'a1', at: clock.now() });
        if (answers++ === 0) throw tooManyRequests(3);
        return 'sent';
      };
      const first = t.send(BOT, ALICE, limitedOnce);
      const second = t.send(BOT, ALICE, ok('a2'));
      const elsewhere = t.send(BOT, BOB, ok('b1'));
      await clock.advance(10_000);
      expect(await first).toEqual({ ok: true, value: 'sent', attempts: 2 });
      expect(await second).toMatchObject({ ok: true, attempts: 1 });
      expect(await elsewhere).toMatchObject({ ok: true, attempts: 1 });
      // The retry comes after the pause, the next message of the chat after the retry, the other chat at once.
      expect(calls).toEqual([
        { label: 'a1', at: 0 },
        { label: 'b1', at: 0 },
        { label: 'a1', at: 3_000 },
        { label: 'a2', at: 3_000 },
      ]);
    });

    it('pauses every chat of the bot when two chats are limited at once', async () => {
      const t = throttle({ perChat: { limit: 100, windowMs: 1_000 } });
      const limitedFirst = (label: string) => {
        let answers = 0;
        return async () => {
          calls.push({ label, at: clock.now() });
          if (answers++ === 0) throw tooManyRequests(2);
          return label;
        };
      };
      void t.send(BOT, ALICE, limitedFirst('a'));
      void t.send(BOT, BOB, limitedFirst('b'));
      await clock.advance(0);
      void t.send(BOT, 103, ok('c'));
      void t.send({ botId: 'bot-b', tokenVersion: 1 }, 103, ok('other bot'));
      await clock.advance(5_000);
      expect(timesOf('c')).toEqual([2_000]);
      expect(timesOf('other bot')).toEqual([0]);
      expect(timesOf('a')).toEqual([0, 2_000]);
    });

    it('gives up after its retries and returns the last 429 with the attempts made', async () => {
      const t = throttle({ perChat: { limit: 100, windowMs: 1_000 } }, { max429Retries: 2 });
      const outcome = t.send(BOT, ALICE, async () => {
        calls.push({ label: 'a', at: clock.now() });
        throw tooManyRequests(1);
      });
      await clock.advance(10_000);
      const result = await outcome;
      expect(result).toMatchObject({ ok: false, attempts: 3 });
      expect((result as { error: GrammyError }).error.error_code).toBe(429);
      expect(timesOf('a')).toEqual([0, 1_000, 2_000]);
    });

    it('does not wait for a retry_after beyond its bound', async () => {
      const t = throttle({}, { maxRetryAfterSeconds: 60 });
      const outcome = t.send(BOT, ALICE, async () => {
        throw tooManyRequests(3_600);
      });
      await clock.advance(0);
      expect(await outcome).toMatchObject({ ok: false, attempts: 1 });
    });
  });

  it('returns other errors at once, without retrying, and goes on with the chat', async () => {
    const t = throttle({ perChat: { limit: 100, windowMs: 1_000 } });
    const blocked = t.send(BOT, ALICE, async () => {
      calls.push({ label: 'a1', at: clock.now() });
      throw forbidden();
    });
    const next = t.send(BOT, ALICE, ok('a2'));
    await clock.advance(1_000);
    const result = await blocked;
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect((result as { error: GrammyError }).error.error_code).toBe(403);
    expect(await next).toMatchObject({ ok: true });
    expect(t.pending).toBe(0);
  });

  it('refuses a limit that is not positive', () => {
    expect(() => new TelegramThrottle({ limits: { perChat: { limit: 0, windowMs: 1_000 } } })).toThrow(RangeError);
  });
});
