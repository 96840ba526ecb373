import { RankIndex, type RankedMember } from './rank-index.js';

/** The obvious board: every member in a map, sorted on each question. */
class NaiveBoard {
  readonly members = new Map<number, { xp: number; level: number; version: number }>();

  set(id: number, xp: number, level: number, version: number): void {
    const current = this.members.get(id);
    if (current && version < current.version) return;
    if (xp === 0) this.members.delete(id);
    else this.members.set(id, { xp, level, version });
  }

  sorted(): RankedMember[] {
    const rows = [...this.members].map(([id, m]) => ({ telegramUserId: id, xp: m.xp, level: m.level }));
    rows.sort((a, b) => b.xp - a.xp || a.telegramUserId - b.telegramUserId);
    return rows.map((row) => ({ ...row, rank: rows.filter((other) => other.xp > row.xp).length + 1 }));
  }
}

/** A seeded generator, so a failing run can be replayed. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

describe('RankIndex', () => {
  it('answers the same top N again while the board is unchanged, and a new one after any change of an entry', () => {
    const index = new RankIndex();
    index.set(10, 100, 1);
    index.set(20, 50, 1);
    const first = index.top(10);
    expect(index.top(10)).toBe(first);
    expect(index.top(1)).toEqual([{ rank: 1, telegramUserId: 10, xp: 100, level: 1 }]);

    const changes: [string, () => void, RankedMember[]][] = [
      [
        'more XP',
        () => index.set(20, 150, 1, 1),
        [
          { rank: 1, telegramUserId: 20, xp: 150, level: 1 },
          { rank: 2, telegramUserId: 10, xp: 100, level: 1 },
        ],
      ],
      [
        'a new level, same XP',
        () => index.set(10, 100, 3, 1),
        [
          { rank: 1, telegramUserId: 20, xp: 150, level: 1 },
          { rank: 2, telegramUserId: 10, xp: 100, level: 3 },
        ],
      ],
      [
        'a raised level',
        () => index.raiseLevel(20, 4),
        [
          { rank: 1, telegramUserId: 20, xp: 150, level: 4 },
          { rank: 2, telegramUserId: 10, xp: 100, level: 3 },
        ],
      ],
      [
        'a new member',
        () => index.set(30, 120, 1),
        [
          { rank: 1, telegramUserId: 20, xp: 150, level: 4 },
          { rank: 2, telegramUserId: 30, xp: 120, level: 1 },
          { rank: 3, telegramUserId: 10, xp: 100, level: 3 },
        ],
      ],
      [
        'a member off the board',
        () => index.set(20, 0, 4, 2),
        [
          { rank: 1, telegramUserId: 30, xp: 120, level: 1 },
          { rank: 2, telegramUserId: 10, xp: 100, level: 3 },
        ],
      ],
    ];
    for (const [, change, expected] of changes) {
      const before = index.top(10);
      change();
      expect(index.top(10)).toEqual(expected);
      expect(index.top(10)).not.toBe(before);
    }
    // An older version changes nothing, and the answer is the same array.
    const settled = index.top(10);
    index.set(30, 1, 1, -1);
    expect(index.top(10)).toBe(settled);

    const rebuilt = new RankIndex();
    rebuilt.appendSorted(5, 10, 1);
    const one = rebuilt.top(10);
    rebuilt.appendSorted(6, 9, 1);
    expect(rebuilt.top(10)).toEqual([
      { rank: 1, telegramUserId: 5, xp: 10, level: 1 },
      { rank: 2, telegramUserId: 6, xp: 9, level: 1 },
    ]);
    expect(one).toHaveLength(1);
  });

  it('ranks ties together and orders them by Telegram id', () => {
    const index = new RankIndex();
    index.set(30, 50, 2);
    index.set(10, 50, 2);
    index.set(20, 80, 3);
    index.set(40, 10, 1);
    expect(index.top(10)).toEqual([
      { rank: 1, telegramUserId: 20, xp: 80, level: 3 },
      { rank: 2, telegramUserId: 10, xp: 50, level: 2 },
      { rank: 2, telegramUserId: 30, xp: 50, level: 2 },
      { rank: 4, telegramUserId: 40, xp: 10, level: 1 },
    ]);
    expect(index.around(30, 1)).toEqual({
      me: { rank: 2, telegramUserId: 30, xp: 50, level: 2 },
      around: [
        { rank: 2, telegramUserId: 10, xp: 50, level: 2 },
        { rank: 2, telegramUserId: 30, xp: 50, level: 2 },
        { rank: 4, telegramUserId: 40, xp: 10, level: 1 },
      ],
    });
    expect(index.rankOf(50)).toBe(2);
    expect(index.size).toBe(4);
  });

  it('costs a small board bytes, not kilobytes (a platform has many small bots)', () => {
    const index = new RankIndex();
    for (const id of [1, 2, 3]) index.set(id, id * 10, 1);
    expect(index.bytes).toBeLessThan(1_024);
    for (let id = 4; id <= 600; id++) index.set(id, id, 1);
    expect(index.top(1)).toEqual([{ rank: 1, telegramUserId: 600, xp: 600, level: 1 }]);
    expect(index.rankOf(300)).toBe(301);
  });

  it('keeps members without XP off the board and ignores an older version', () => {
    const index = new RankIndex();
    index.set(1, 0, 1);
    expect(index.size).toBe(0);
    index.set(1, 20, 2, 5);
    index.set(1, 10, 1, 3);
    expect(index.xpOf(1)).toBe(20);
    expect(index.around(2, 3)).toBeUndefined();
  });

  it('refuses what a double cannot hold and a rebuild out of order', () => {
    const index = new RankIndex();
    expect(() => index.set(1, 2 ** 60, 1)).toThrow(RangeError);
    expect(() => index.set(1, -1, 1)).toThrow(RangeError);
    expect(() => index.set(0, 10, 1)).toThrow(RangeError);
    index.appendSorted(1, 100, 1);
    expect(() => index.appendSorted(2, 200, 1)).toThrow(RangeError);
  });

  it.each([1, 2, 3])('answers like the naive board after random operations (seed %i)', (seed) => {
    const next = random(seed);
    const index = new RankIndex();
    const naive = new NaiveBoard();
    // Few ids and few XP values: many ties, many moves of one member, blocks splitting and emptying.
    for (let op = 0; op < 6_000; op++) {
      const id = 1 + Math.floor(next() * 2_000);
      const xp = next() < 0.1 ? 0 : Math.floor(next() * 300);
      const version = Math.floor(next() * 1_000);
      index.set(id, xp, Math.floor(xp / 50) + 1, version);
      naive.set(id, xp, Math.floor(xp / 50) + 1, version);
      if (op % 500 === 499) {
        const board = naive.sorted();
        expect(index.size).toBe(board.length);
        expect(index.top(100)).toEqual(board.slice(0, 100));
        expect(index.top(100_000)).toEqual(board);
        for (let probe = 0; probe < 50; probe++) {
          const xpProbe = 1 + Math.floor(next() * 300);
          expect(index.rankOf(xpProbe)).toBe(board.filter((m) => m.xp > xpProbe).length + 1);
          const member = board[Math.floor(next() * board.length)];
          const n = Math.floor(next() * 11);
          const at = board.indexOf(member);
          expect(index.around(member.telegramUserId, n)).toEqual({ me: member, around: board.slice(Math.max(0, at - n), at + n + 1) });
        }
      }
    }
  });

  it("keeps today's ids above 2^32 apart, also ids that share their low 32 bits, through many removals", () => {
    const next = random(11);
    const index = new RankIndex();
    const naive = new NaiveBoard();
    const ids = Array.from({ length: 1_500 }, (_, i) => (i % 3 === 0 ? 2 ** 32 * (1 + (i % 97)) + 777 : 5_000_000_000 + i * 65_536));
    for (let op = 0; op < 20_000; op++) {
      const id = ids[Math.floor(next() * ids.length)];
      // Half the operations take a member off the board: the id table's deletions shift its entries.
      const xp = next() < 0.5 ? 0 : 1 + Math.floor(next() * 100);
      index.set(id, xp, 1, op);
      naive.set(id, xp, 1, op);
    }
    expect(index.top(100_000)).toEqual(naive.sorted());
    for (const id of ids) expect(index.xpOf(id)).toBe(naive.members.get(id)?.xp);
  });

  it('a rebuild from the sorted projection answers like inserts one by one', () => {
    const next = random(7);
    const naive = new NaiveBoard();
    for (let i = 0; i < 5_000; i++) naive.set(i + 1, Math.floor(next() * 1_000), 1, 0);
    const rebuilt = new RankIndex();
    rebuilt.reserve(naive.members.size);
    for (const m of naive.sorted()) rebuilt.appendSorted(m.telegramUserId, m.xp, m.level);
    const inserted = new RankIndex();
    for (const [id, m] of naive.members) {
      inserted.set(id, m.xp, m.level);
      // Making room midway keeps every member findable.
      if (id === 2_500) inserted.reserve(20_000);
    }
    expect(rebuilt.top(100_000)).toEqual(naive.sorted());
    expect(inserted.top(100_000)).toEqual(naive.sorted());
    // Updates after a rebuild go to the right blocks.
    rebuilt.set(1, 5_000, 9, 1);
    expect(rebuilt.top(1)).toEqual([{ rank: 1, telegramUserId: 1, xp: 5_000, level: 9 }]);
  });

  it('a board built from unsorted sums (a group board) answers like inserts, and visits in board order', () => {
    const next = random(11);
    const naive = new NaiveBoard();
    // Many ties and ids above 2^32, in no order: what summing a group's bots gives.
    for (let i = 0; i < 20_000; i++) naive.set(6_000_000_000 + Math.floor(next() * 1_000_000_000), 1 + Math.floor(next() * 300), 1, 0);
    const ids = new Float64Array(naive.members.size + 5);
    const xps = new Float64Array(ids.length);
    let n = 0;
    for (const [id, m] of naive.members) {
      ids[n] = id;
      xps[n++] = m.xp;
    }
    const built = RankIndex.fromUnsorted(ids, xps, n);
    expect(built.top(100_000)).toEqual(naive.sorted());
    const visited: number[] = [];
    built.forEach((id) => {
      visited.push(id);
    });
    expect(visited).toEqual(naive.sorted().map((m) => m.telegramUserId));
    expect(RankIndex.fromUnsorted(new Float64Array(0), new Float64Array(0), 0).size).toBe(0);
  });

  it.each([
    ['as many as reserved', 3_000, 3_000],
    ['fewer than reserved', 3_000, 1_000],
    ['more than reserved (the reserved blocks run out)', 1_000, 3_000],
  ])('a rebuild into reserved blocks, %s, then random moves and removals, answers like the naive board', (_, reserved, members) => {
    const next = random(reserved + members);
    const naive = new NaiveBoard();
    for (let i = 0; i < members; i++) naive.set(6_000_000_000 + i * 7, 1 + Math.floor(next() * 500), 1 + (i % 4), 0);
    const index = new RankIndex();
    index.reserve(reserved);
    for (const m of naive.sorted()) index.appendSorted(m.telegramUserId, m.xp, m.level);
    expect(index.top(100_000)).toEqual(naive.sorted());
    // Moves split the reserved blocks and empty others; removals free slots that new members take.
    for (let op = 0; op < 8_000; op++) {
      const id = 6_000_000_000 + Math.floor(next() * members * 1.2) * 7;
      const xp = next() < 0.2 ? 0 : 1 + Math.floor(next() * 500);
      index.set(id, xp, 2, op + 1);
      naive.set(id, xp, 2, op + 1);
    }
    expect(index.top(100_000)).toEqual(naive.sorted());
    expect(index.size).toBe(naive.members.size);
  });

  it('reads the members after a key in board order, in batches, also after the board changed between two reads', () => {
    const index = new RankIndex();
    for (let id = 1; id <= 50; id++) index.set(id, (id % 10) + 1, 1);
    const ids = new Float64Array(8);
    const xps = new Float64Array(8);
    const read: number[] = [];
    let after = { xp: Number.POSITIVE_INFINITY, id: 0 };
    for (let round = 0; ; round++) {
      const n = index.readAfter(after.xp, after.id, ids, xps);
      read.push(...ids.subarray(0, n));
      if (n < ids.length) break;
      after = { xp: xps[n - 1], id: ids[n - 1] };
      // A member not read yet moves up before the key read last, one read moves down: the walk goes on after
      // its key, so the first is not read and the second is read twice; the members who did not move, once each.
      if (round === 1) {
        index.set(45, 100, 1, 1);
        index.set(read[0], 1, 1, 1);
      }
    }
    const unmoved = index
      .top(100)
      .map((m) => m.telegramUserId)
      .filter((id) => id !== 45 && id !== read[0]);
    expect(read.filter((id) => id !== 45 && id !== read[0])).toEqual(unmoved);
    expect(read).not.toContain(45);
  });

  it('raises a level in place and never lowers it, only for a member on the board', () => {
    const index = new RankIndex();
    index.set(1, 10, 1);
    expect(index.raiseLevel(1, 3)).toBe(true);
    expect(index.raiseLevel(1, 2)).toBe(true);
    expect(index.top(1)).toEqual([{ rank: 1, telegramUserId: 1, xp: 10, level: 3 }]);
    expect(index.raiseLevel(2, 5)).toBe(false);
    expect(index.levelOf(2)).toBeUndefined();
  });
});
