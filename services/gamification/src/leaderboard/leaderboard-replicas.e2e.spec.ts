import { RPC } from '@botplatform/contracts';
import { waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';
import { LeaderboardIndex } from './leaderboard-index.js';
import { keyOfScore, ScoreBoardsIndex, scoreOfKey } from './score-boards-index.js';

/**
 * The in-memory boards beside the projection (ADR 0015): a process started later rebuilds the same
 * boards from the memberships table, and a second replica sees the first one's awards by following the
 * event store; the same for the boards by an activity's score, which follow the `activity_scores` rows.
 */
describe('The leaderboard index of each replica', () => {
  let t: GamificationTestService;
  const replicas: (LeaderboardIndex | ScoreBoardsIndex)[] = [];
  const newReplica = () => {
    const replica = new LeaderboardIndex(t.service.dependencies.orm, t.service.dependencies.store);
    replicas.push(replica);
    return replica;
  };
  const award = (botId: string, telegramUserId: string, amount: number) =>
    t.call(RPC.gamification.award, { botId, telegramUserId, amount, reason: 'quiz', sourceId: randomUUID() });

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_board', new Date('2026-11-30T10:00:00.000Z'));
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.onApplicationShutdown();
    await t?.close();
  });

  it('a restarted process rebuilds the same boards from the projection, per bot, levels included', async () => {
    const [botA, botB] = [randomUUID(), randomUUID()];
    await t.call(RPC.gamification.configureLevels, {
      botId: botA,
      levels: [
        { level: 1, minXp: '0' },
        { level: 2, minXp: '50' },
      ],
    });
    const amounts = [70, 20, 20, 5, 90, 20, 1];
    for (const [i, amount] of amounts.entries()) await award(botA, String(9_000_000_000 + i), amount);
    await award(botB, '9000000000', 500);
    await t.call(RPC.gamification.recordActivity, { botId: botA, telegramUserId: '42' });
    const served = await t.call(RPC.gamification.getLeaderboard, { botId: botA, limit: 100, telegramUserId: '9000000002', neighbours: 2 });

    const restarted = newReplica();
    await restarted.ready();
    const board = restarted.board({ kind: 'bot', botId: botA });
    expect(board.size).toBe(amounts.length);
    expect(board.top(100).map((m) => ({ rank: String(m.rank), telegramUserId: String(m.telegramUserId), totalXp: String(m.xp), level: m.level }))).toEqual(
      served.top,
    );
    expect(served.top?.slice(0, 3)).toEqual([
      { rank: '1', telegramUserId: '9000000004', totalXp: '90', level: 2 },
      { rank: '2', telegramUserId: '9000000000', totalXp: '70', level: 2 },
      { rank: '3', telegramUserId: '9000000001', totalXp: '20', level: 1 },
    ]);
    expect(board.around(9_000_000_002, 2)?.around.map((m) => [m.rank, m.telegramUserId])).toEqual(
      served.me?.around?.map((e) => [Number(e.rank), Number(e.telegramUserId)]),
    );
    expect(restarted.board({ kind: 'bot', botId: botB }).top(5)).toEqual([{ rank: 1, telegramUserId: 9_000_000_000, xp: 500, level: 1 }]);
  });

  it('a replica shutting down waits for its poll under way, so the ORM is not closed under it', async () => {
    for (const replica of [newReplica(), new ScoreBoardsIndex(t.service.dependencies.orm)]) {
      if (replica instanceof ScoreBoardsIndex) replicas.push(replica);
      await replica.onApplicationBootstrap();
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let polls = 0;
      replica.catchUp = async () => {
        polls++;
        await gate;
      };
      await waitFor('a poll to start', () => polls > 0 || undefined, { timeoutMs: 5_000 });
      let stopped = false;
      const stopping = replica.onApplicationShutdown().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      // Still polling: the shutdown waits, and no second poll started meanwhile (one at a time).
      expect(stopped).toBe(false);
      expect(polls).toBe(1);
      open();
      await stopping;
      expect(stopped).toBe(true);
    }
  });

  it("a second replica sees the first one's awards after its next read of the store", async () => {
    const botId = randomUUID();
    await award(botId, '7001', 10);
    const other = newReplica();
    await other.onApplicationBootstrap();
    expect(other.board({ kind: 'bot', botId }).rankOf(10)).toBe(1);

    await award(botId, '7002', 30);
    await award(botId, '7001', 25);
    // Polled every 250 ms; other test files' open transactions on the server can hold readAll back a little.
    await waitFor('the other replica to follow', () => other.board({ kind: 'bot', botId }).xpOf(7001) === 35 || undefined, { timeoutMs: 10_000 });
    expect(
      other
        .board({ kind: 'bot', botId })
        .top(10)
        .map((m) => [m.rank, m.telegramUserId, m.xp]),
    ).toEqual([
      [1, 7001, 35],
      [2, 7002, 30],
    ]);
  });

  it("a second replica's score board follows the first one's new activity, its rank and its totals", async () => {
    const botId = randomUUID();
    const record = (telegramUserId: string, score: number) =>
      t.call(RPC.gamification.recordActivity, { botId, telegramUserId, activity: { id: randomUUID(), type: 'quiz', score: String(score) } });
    await record('8001', 40);
    await record('8002', 30);
    const other = new ScoreBoardsIndex(t.service.dependencies.orm);
    replicas.push(other);
    await other.onApplicationBootstrap();
    const boards = () => {
      const found = other.lookup({ botId, activityType: 'quiz' });
      if (found.kind !== 'memory') throw new Error(`the all-time board is ${found.kind}`);
      return found.boards;
    };
    const ranks = (metric: 'best' | 'total') =>
      boards()
        [metric].top(10)
        .map((m) => [m.rank, m.telegramUserId, scoreOfKey(m.xp)]);
    expect(ranks('best')).toEqual([
      [1, 8001, 40],
      [2, 8002, 30],
    ]);

    // On the first replica (the service): 8002 overtakes by best, and by total with a negative score after.
    await record('8002', 50);
    await record('8002', -5);
    await record('8003', 40);
    await waitFor('the other replica to follow', () => (boards().best.size === 3 && boards().total.xpOf(8002) === keyOfScore(75)) || undefined, {
      timeoutMs: 10_000,
    });
    expect(ranks('best')).toEqual([
      [1, 8002, 50],
      [2, 8001, 40],
      [2, 8003, 40],
    ]);
    expect(ranks('total')).toEqual([
      [1, 8002, 75],
      [2, 8001, 40],
      [2, 8003, 40],
    ]);
    // What the service answers (its own replica, applied at commit) is what the other replica now has.
    const served = await t.call(RPC.gamification.getLeaderboard, { botId, metric: 'activity-total', activityType: 'quiz', limit: 10, telegramUserId: '8003' });
    expect(served.me).toMatchObject({ rank: '2', score: '40' });
    expect(served.top?.map((e) => [Number(e.rank), Number(e.telegramUserId), Number(e.score)])).toEqual(ranks('total'));
    expect(served.members).toBe('3');
  });
});
