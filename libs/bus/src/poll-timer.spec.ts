import { PollTimer } from './poll-timer.js';

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};

describe('PollTimer', () => {
  it('remembers a wake that came while nobody slept, so the next sleep returns at once', async () => {
    const timer = new PollTimer();
    timer.wake();
    expect(await elapsed(() => timer.sleep(5_000))).toBeLessThan(50);
    expect(await elapsed(() => timer.sleep(100))).toBeGreaterThanOrEqual(90);
  });

  it('says whether a wake ended the sleep: a wake, remembered or during the sleep, yes; the time running out or close, no', async () => {
    const timer = new PollTimer();
    timer.wake();
    expect(await timer.sleep(5_000)).toBe(true);
    expect(await timer.sleep(10)).toBe(false);
    setTimeout(() => timer.wake(), 10);
    expect(await timer.sleep(5_000)).toBe(true);
    setTimeout(() => timer.close(), 10);
    expect(await timer.sleep(5_000)).toBe(false);
  });

  it('is cut short by a wake during the sleep', async () => {
    const timer = new PollTimer();
    setTimeout(() => timer.wake(), 20);
    expect(await elapsed(() => timer.sleep(5_000))).toBeLessThan(500);
  });

  it('does not let a wake cut a backoff short, but close does', async () => {
    const timer = new PollTimer();
    setTimeout(() => timer.wake(), 10);
    expect(await elapsed(() => timer.sleep(150, { wakeable: false }))).toBeGreaterThanOrEqual(140);
    setTimeout(() => timer.close(), 20);
    expect(await elapsed(() => timer.sleep(5_000, { wakeable: false }))).toBeLessThan(500);
    expect(await elapsed(() => timer.sleep(5_000))).toBeLessThan(50);
  });
});
