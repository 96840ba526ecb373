import { describe, expect, it } from '@jest/globals';
import { KeyedQueue } from './keyed-queue.js';

describe('KeyedQueue', () => {
  it('runs the tasks of one key one at a time, in order, through failures, and other keys alongside', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task =
      (name: string, fail = false) =>
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(name);
        running--;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([queue.run('a', task('a1')), queue.run('a', task('a2', true)), queue.run('a', task('a3'))]);
    expect(log).toEqual(['a1', 'a2', 'a3']);
    expect(most).toBe(1);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    most = 0;
    await Promise.all([queue.run('a', task('a4')), queue.run('b', task('b1'))]);
    expect(most).toBe(2);
  });
});
