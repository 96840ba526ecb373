import { partitionRange, RankIndex, sortRange } from './rank-index.js';

/**
 * How many members a group board's build takes between two turns of the event loop: ~10–25 ms on this
 * machine's loaded cores (16,384 took up to ~90 ms).
 */
export const GROUP_BUILD_STEP = 4_096;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The sum of `xpOf` over `keys` (a member's XP on several boards), 0 where they have none. */
export const sumOver = (keys: readonly string[], xpOf: (key: string) => number | undefined): number => keys.reduce((sum, key) => sum + (xpOf(key) ?? 0), 0);

/**
 * The board of the sums of `boards` (a group's bots'), in steps that yield to the event loop, without sorting
 * the million: the members on one board only keep that board's order, so the boards are merged; only the members
 * on two boards or more (found on the smaller boards) are summed and sorted in scratch arrays. The group board's
 * memory is reserved before it is filled. Members in `touched` (changed by an event since the build began, or
 * while it runs) are left out: the caller sets them last (so are shared members beyond the scratch).
 */
export async function sumInSteps(
  boards: readonly RankIndex[],
  touched: Set<number>,
  levelOf: (id: number) => number,
  step = GROUP_BUILD_STEP,
): Promise<RankIndex> {
  // The largest board last: a member on two boards or more is on one of the others.
  const order = [...boards].sort((a, b) => a.size - b.size);
  const smaller = order.slice(0, -1);
  const scratch = Math.max(
    16,
    smaller.reduce((sum, board) => sum + board.size, 0),
  );
  const sharedIds = new Float64Array(scratch);
  const sharedXps = new Float64Array(scratch);
  let shared = 0;
  let repeats = 0;
  const batchIds = new Float64Array(step);
  const batchXps = new Float64Array(step);
  for (let i = 0; i < smaller.length; i++) {
    let after = { xp: Number.POSITIVE_INFINITY, id: 0 };
    for (;;) {
      const n = smaller[i].readAfter(after.xp, after.id, batchIds, batchXps);
      for (let k = 0; k < n; k++) {
        const id = batchIds[k];
        // Summed once, from the first of the smaller boards that has them.
        let first = true;
        for (let j = 0; j < i && first; j++) first = smaller[j].xpOf(id) === undefined;
        if (!first) continue;
        let xp = batchXps[k];
        let on = 1;
        for (let j = i + 1; j < order.length; j++) {
          const more = order[j].xpOf(id);
          if (more === undefined) continue;
          xp += more;
          on++;
        }
        if (on === 1) continue;
        if (shared === scratch) {
          // More than the smaller boards held at the start: members who came meanwhile, set last like the touched.
          touched.add(id);
          continue;
        }
        sharedIds[shared] = id;
        sharedXps[shared++] = xp;
        repeats += on - 1;
      }
      if (n < step) break;
      after = { xp: batchXps[n - 1], id: batchIds[n - 1] };
      await nextTurn();
    }
  }
  await sortInSteps(sharedXps, sharedIds, shared, step);
  const group = new RankIndex();
  group.reserve(boards.reduce((sum, board) => sum + board.size, 0) - repeats);
  // The merge: each board's members found on it alone, in its order, and the shared ones, sorted.
  const streams = order.map((board) => ({
    board,
    ids: new Float64Array(Math.min(step, 1_024)),
    xps: new Float64Array(Math.min(step, 1_024)),
    n: 0,
    at: 0,
    done: false,
  }));
  const onAnother = (id: number, board: RankIndex) => order.some((other) => other !== board && other.xpOf(id) !== undefined);
  /** The next entry of a board's stream that is on it alone and untouched, or false at its end. */
  const head = (stream: (typeof streams)[number]): boolean => {
    for (;;) {
      if (stream.at === stream.n) {
        if (stream.done) return false;
        const last = stream.n ? { xp: stream.xps[stream.n - 1], id: stream.ids[stream.n - 1] } : { xp: Number.POSITIVE_INFINITY, id: 0 };
        stream.n = stream.board.readAfter(last.xp, last.id, stream.ids, stream.xps);
        stream.at = 0;
        stream.done = stream.n < stream.ids.length;
        if (stream.n === 0) return false;
      }
      const id = stream.ids[stream.at];
      if (!touched.has(id) && !onAnother(id, stream.board)) return true;
      stream.at++;
    }
  };
  let sharedAt = 0;
  let appended = 0;
  for (;;) {
    while (sharedAt < shared && touched.has(sharedIds[sharedAt])) sharedAt++;
    let best: (typeof streams)[number] | undefined;
    let bestXp = sharedAt < shared ? sharedXps[sharedAt] : Number.NEGATIVE_INFINITY;
    let bestId = sharedAt < shared ? sharedIds[sharedAt] : Number.POSITIVE_INFINITY;
    for (const stream of streams) {
      if (!head(stream)) continue;
      const xp = stream.xps[stream.at];
      const id = stream.ids[stream.at];
      if (xp > bestXp || (xp === bestXp && id < bestId)) {
        best = stream;
        bestXp = xp;
        bestId = id;
      }
    }
    if (!best && sharedAt === shared) return group;
    if (best) best.at++;
    else sharedAt++;
    group.appendSorted(bestId, bestXp, levelOf(bestId));
    if (++appended % step === 0) await nextTurn();
  }
}

/**
 * sortInBoardOrder in steps: partitions (a pass over their range each) until a range is under `step` entries,
 * then sorted at once; a turn of the event loop after about `step` entries of work (a sort of 200,000 in one
 * go held it ~175 ms).
 */
async function sortInSteps(xp: Float64Array, id: Float64Array, count: number, step: number): Promise<void> {
  const ranges = count > 1 ? [0, count - 1] : [];
  let work = 0;
  while (ranges.length) {
    const hi = ranges.pop()!;
    const lo = ranges.pop()!;
    if (hi - lo < step) sortRange(xp, id, lo, hi);
    else {
      const [j, i] = partitionRange(xp, id, lo, hi);
      if (lo < j) ranges.push(lo, j);
      if (i < hi) ranges.push(i, hi);
    }
    work += hi - lo + 1;
    if (work >= step) {
      work = 0;
      await nextTurn();
    }
  }
}
