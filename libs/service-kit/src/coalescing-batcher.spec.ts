import { CoalescingBatcher } from './coalescing-batcher.js';

/** A `run` whose batches the test answers by hand, in order. */
function manualRun() {
  const batches: { keys: readonly string[]; answer: (results?: Map<string, number>) => void; fail: (error: Error) => void }[] = [];
  const run = (keys: readonly string[]) =>
    new Promise<Map<string, number> | undefined>((resolve, reject) => batches.push({ keys, answer: resolve, fail: reject }));
  return { batches, run };
}

describe('CoalescingBatcher', () => {
  it('sends a lone request at once, alone', async () => {
    const { batches, run } = manualRun();
    const batcher = new CoalescingBatcher(run, { maxInFlight: 1 });
    const a = batcher.request('a');
    expect(batches.map((b) => b.keys)).toEqual([['a']]);
    batches[0].answer(new Map([['a', 1]]));
    await expect(a).resolves.toBe(1);
  });

  it('sends what arrived while a batch was in flight as the next batch, each answered by its key', async () => {
    const { batches, run } = manualRun();
    const batcher = new CoalescingBatcher(run, { maxInFlight: 1 });
    const a = batcher.request('a');
    const b = batcher.request('b');
    const c = batcher.request('c');
    expect(batches.map((x) => x.keys)).toEqual([['a']]);
    batches[0].answer(new Map([['a', 1]]));
    await a;
    expect(batches.map((x) => x.keys)).toEqual([['a'], ['b', 'c']]);
    // A key the run leaves out answers undefined.
    batches[1].answer(new Map([['c', 3]]));
    await expect(b).resolves.toBeUndefined();
    await expect(c).resolves.toBe(3);
  });

  it('keeps up to maxInFlight batches out, and no more than maxBatch keys in one', async () => {
    const { batches, run } = manualRun();
    const batcher = new CoalescingBatcher(run, { maxInFlight: 2, maxBatch: 2 });
    const requests = ['a', 'b', 'c', 'd', 'e'].map((key) => batcher.request(key));
    expect(batches.map((x) => x.keys)).toEqual([['a'], ['b']]);
    batches[1].answer();
    await requests[1];
    expect(batches.map((x) => x.keys)).toEqual([['a'], ['b'], ['c', 'd']]);
    batches[0].answer();
    batches[2].answer();
    await Promise.all(requests.slice(0, 4));
    expect(batches.map((x) => x.keys)).toEqual([['a'], ['b'], ['c', 'd'], ['e']]);
    batches[3].answer();
    await requests[4];
  });

  it('fails every request of a failed batch with its error, and tries the next batch on its own', async () => {
    const { batches, run } = manualRun();
    const batcher = new CoalescingBatcher(run, { maxInFlight: 1 });
    const a = batcher.request('a');
    const b = batcher.request('b');
    const c = batcher.request('c');
    batches[0].answer();
    await a;
    batches[1].fail(new Error('connection lost'));
    await expect(b).rejects.toThrow('connection lost');
    await expect(c).rejects.toThrow('connection lost');
    const d = batcher.request('d');
    expect(batches.map((x) => x.keys)).toEqual([['a'], ['b', 'c'], ['d']]);
    batches[2].answer(new Map([['d', 4]]));
    await expect(d).resolves.toBe(4);
  });

  it('fails the batch when run throws before returning a promise', async () => {
    const batcher = new CoalescingBatcher<string, number>(() => {
      throw new Error('bad statement');
    });
    await expect(batcher.request('a')).rejects.toThrow('bad statement');
  });
});
