import { describe, expect, it } from '@jest/globals';
import { sumInSteps, sumOver } from './group-sums.js';
import { RankIndex } from './rank-index.js';

/** A seeded generator, so a failing run can be replayed. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

/** The group board the obvious way: every member's XP summed over the boards, sorted. */
const naiveSums = (boards: readonly RankIndex[], ids: readonly number[]) =>
  ids
    .map((id) => ({ id, xp: boards.reduce((sum, board) => sum + (board.xpOf(id) ?? 0), 0) }))
    .filter((m) => m.xp > 0)
    .sort((a, b) => b.xp - a.xp || a.id - b.id)
    .map((m) => [m.id, m.xp]);

/**
 * A group board built in steps from its bots' boards (ADR 0015, "Group boards"): the merge of the members on one
 * board with the summed ones equals the naive sums, also when events change the bots' boards between the steps
 * (the touched members set again last, as LeaderboardIndex does).
 */
describe('sumInSteps', () => {
  const ids = Array.from({ length: 3_000 }, (_, i) => 6_000_000_000 + i * 13);
  const boardsOf = (seed: number) => {
    const next = random(seed);
    // Three bots of different sizes, overlapping: many members on one board only, some on two or three; many ties.
    const boards = [0.9, 0.3, 0.1].map((share) => {
      const board = new RankIndex();
      for (const id of ids) if (next() < share) board.set(id, 1 + Math.floor(next() * 200), 1);
      return board;
    });
    return { boards, next };
  };

  it.each([1, 2, 3])('equals the naive sums of three overlapping boards (seed %i)', async (seed) => {
    const { boards } = boardsOf(seed);
    const group = await sumInSteps(boards, new Set(), (id) => 1 + (id % 3), 64);
    expect(group.top(10_000).map((m) => [m.telegramUserId, m.xp])).toEqual(naiveSums(boards, ids));
    expect(group.top(10_000).every((m) => m.level === 1 + (m.telegramUserId % 3))).toBe(true);
  });

  it.each([4, 5, 6])('equals the naive sums when events change the bots between its steps (seed %i)', async (seed) => {
    const { boards, next } = boardsOf(seed);
    const touched = new Set<number>();
    let building = true;
    // Awards between the steps, as the event loop gives them their turn: more XP for members on a board or new ones.
    const awards = (async () => {
      for (let version = 1; building; version++) {
        await new Promise((resolve) => setImmediate(resolve));
        const id = ids[Math.floor(next() * ids.length)];
        const board = boards[Math.floor(next() * boards.length)];
        board.set(id, (board.xpOf(id) ?? 0) + 1 + Math.floor(next() * 300), 1, version);
        touched.add(id);
      }
    })();
    const group = await sumInSteps(boards, touched, () => 1, 16);
    building = false;
    await awards;
    expect(touched.size).toBeGreaterThan(10);
    // The last, synchronous step of LeaderboardIndex's build.
    for (const id of touched)
      group.set(
        id,
        sumOver(['0', '1', '2'], (key) => boards[Number(key)].xpOf(id)),
        1,
      );
    expect(group.top(10_000).map((m) => [m.telegramUserId, m.xp])).toEqual(naiveSums(boards, ids));
  });

  it('is empty for no boards, and one board for one', async () => {
    expect((await sumInSteps([], new Set(), () => 1)).size).toBe(0);
    const { boards } = boardsOf(7);
    const alone = await sumInSteps([boards[0]], new Set(), () => 1, 32);
    expect(alone.top(10_000).map((m) => [m.telegramUserId, m.xp])).toEqual(naiveSums([boards[0]], ids));
  });
});
