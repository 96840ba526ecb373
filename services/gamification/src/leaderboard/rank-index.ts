/** One member on a board, in board order: more XP first, then the lower Telegram id. */
export interface RankedMember {
  /** 1 + the members with more XP: ties share a rank. */
  readonly rank: number;
  readonly telegramUserId: number;
  readonly xp: number;
  readonly level: number;
}

/**
 * A block holds up to BLOCK entries in board order. 512 keeps an insert's shift inside one block
 * short (at most 8 KiB moved) while a million members need only ~2,000–4,000 blocks to walk when
 * counting the entries before a block.
 */
const BLOCK = 512;

interface Block {
  xp: Float64Array;
  id: Float64Array;
  n: number;
}

const REBUILT_FILL = (BLOCK * 7) / 8;

/** A board's first block starts small and doubles up to BLOCK: a bot with 3 members costs bytes, not 8 KiB. */
const FIRST_BLOCK = 8;

const newBlock = (capacity = BLOCK): Block => ({ xp: new Float64Array(capacity), id: new Float64Array(capacity), n: 0 });

/** Room for one more entry in a block still below BLOCK places. */
const makeRoom = (block: Block): void => {
  if (block.n < block.xp.length) return;
  const xp = new Float64Array(Math.min(BLOCK, block.xp.length * 2));
  const id = new Float64Array(xp.length);
  xp.set(block.xp);
  id.set(block.id);
  block.xp = xp;
  block.id = id;
};

/** -1 when (xpA, idA) comes before (xpB, idB) on the board, 1 after, 0 the same entry. */
/** Telegram user ids are positive (0 marks an empty place in IdTable). */
const isMemberId = (id: number): boolean => Number.isSafeInteger(id) && id > 0;

const compare = (xpA: number, idA: number, xpB: number, idB: number): number => {
  if (xpA !== xpB) return xpA > xpB ? -1 : 1;
  return idA === idB ? 0 : idA < idB ? -1 : 1;
};

/**
 * An order-statistic index of one board (ADR 0015): a two-level B-tree whose leaves are sorted blocks
 * of (xp, id) in typed arrays, with each block's count, plus a map id → slot of the member's XP, level
 * and the stream position of the last event applied. A rank is the count of the entries before the
 * member's XP (sum of the block counts before, then a binary search in one block); the top N and the
 * neighbours are a walk from a position. Members without XP are not on the board.
 *
 * Numbers, not bigints: Telegram ids have at most 52 significant bits, and XP above 2^53 would be
 * 9 quadrillion points; `set` refuses what a double cannot hold exactly.
 */
export class RankIndex {
  private blocks: Block[] = [newBlock(FIRST_BLOCK)];
  private readonly slots = new IdTable();
  private slotXp = new Float64Array(16);
  private slotLevel = new Int32Array(16);
  private slotVersion = new Int32Array(16);
  private freeSlots: number[] = [];
  private nextSlot = 0;
  private count = 0;

  /** How many members are on the board (have XP). */
  get size(): number {
    return this.count;
  }

  /**
   * Sets a member's XP and level as of their stream's `version`; an older version than the one applied
   * is ignored, so events replayed out of order (or twice) never move a member back. XP 0 takes them
   * off the board. Returns whether anything changed.
   */
  set(telegramUserId: number, xp: number, level: number, version = 0): boolean {
    if (!isMemberId(telegramUserId) || !Number.isSafeInteger(xp) || xp < 0) {
      throw new RangeError(`leaderboard entry out of range: member ${telegramUserId}, xp ${xp}`);
    }
    const slot = this.slots.get(telegramUserId);
    if (slot !== undefined) {
      if (version < this.slotVersion[slot]) return false;
      const oldXp = this.slotXp[slot];
      this.slotVersion[slot] = version;
      this.slotLevel[slot] = level;
      if (oldXp === xp) return true;
      this.removeKey(oldXp, telegramUserId);
      if (xp === 0) {
        this.slots.delete(telegramUserId);
        this.freeSlots.push(slot);
        return true;
      }
      this.slotXp[slot] = xp;
      this.insertKey(xp, telegramUserId);
      return true;
    }
    if (xp === 0) return false;
    const fresh = this.allocateSlot();
    this.slots.set(telegramUserId, fresh);
    this.slotXp[fresh] = xp;
    this.slotLevel[fresh] = level;
    this.slotVersion[fresh] = version;
    this.insertKey(xp, telegramUserId);
    return true;
  }

  /**
   * Adds members given in board order to an empty index, filling blocks to 7/8 so the first inserts
   * do not split at once. The fast path of a rebuild: no search, no shift.
   */
  appendSorted(telegramUserId: number, xp: number, level: number): void {
    if (xp <= 0) return;
    let last = this.blocks[this.blocks.length - 1];
    if (last.n > 0 && compare(last.xp[last.n - 1], last.id[last.n - 1], xp, telegramUserId) >= 0) {
      throw new RangeError(`appendSorted out of board order at member ${telegramUserId}`);
    }
    if (this.slots.get(telegramUserId) !== undefined) throw new RangeError(`appendSorted: member ${telegramUserId} twice`);
    if (!isMemberId(telegramUserId) || !Number.isSafeInteger(xp)) {
      throw new RangeError(`leaderboard entry out of range: member ${telegramUserId}, xp ${xp}`);
    }
    if (last.n >= REBUILT_FILL) {
      last = newBlock();
      this.blocks.push(last);
    }
    makeRoom(last);
    last.xp[last.n] = xp;
    last.id[last.n] = telegramUserId;
    last.n++;
    this.count++;
    const slot = this.allocateSlot();
    this.slots.set(telegramUserId, slot);
    this.slotXp[slot] = xp;
    this.slotLevel[slot] = level;
    this.slotVersion[slot] = 0;
  }

  /**
   * Makes room for `members` at once, so a rebuild that knows its count does not double its arrays
   * on the way (each doubling leaves the old arrays behind: ~20 MiB of garbage at a million).
   */
  reserve(members: number): void {
    let capacity = this.slotXp.length;
    while (capacity < members) capacity *= 2;
    if (capacity !== this.slotXp.length) {
      const grown = { xp: new Float64Array(capacity), level: new Int32Array(capacity), version: new Int32Array(capacity) };
      grown.xp.set(this.slotXp);
      grown.level.set(this.slotLevel);
      grown.version.set(this.slotVersion);
      this.slotXp = grown.xp;
      this.slotLevel = grown.level;
      this.slotVersion = grown.version;
    }
    this.slots.reserve(members);
  }

  /** Calls `visit` with each member on the board, in board order. */
  forEach(visit: (telegramUserId: number, xp: number) => void): void {
    for (const block of this.blocks) for (let i = 0; i < block.n; i++) visit(block.id[i], block.xp[i]);
  }

  /**
   * A board of the first `count` members of `ids` and `xps` (distinct ids, any order), all at `level`:
   * sorted in place (the arrays are the caller's scratch), then appended without search. What a group
   * board is built from (the sums of its bots' boards) without a million inserts.
   */
  static fromUnsorted(ids: Float64Array, xps: Float64Array, count: number, level = 1): RankIndex {
    sortInBoardOrder(xps, ids, count);
    const board = new RankIndex();
    board.reserve(count);
    for (let i = 0; i < count; i++) board.appendSorted(ids[i], xps[i], level);
    return board;
  }

  /** The member's XP, undefined when they are not on the board. */
  xpOf(telegramUserId: number): number | undefined {
    const slot = this.slots.get(telegramUserId);
    return slot === undefined ? undefined : this.slotXp[slot];
  }

  /** The member's level, undefined when they are not on the board. */
  levelOf(telegramUserId: number): number | undefined {
    const slot = this.slots.get(telegramUserId);
    return slot === undefined ? undefined : this.slotLevel[slot];
  }

  /** The rank a member with `xp` XP has: 1 + the members with more XP. */
  rankOf(xp: number): number {
    return this.positionOf(xp, Number.NEGATIVE_INFINITY) + 1;
  }

  /** The first `limit` members in board order. */
  top(limit: number): RankedMember[] {
    return this.slice(0, limit);
  }

  /** The member with up to `neighbours` members above and below, undefined when not on the board. */
  around(telegramUserId: number, neighbours: number): { readonly me: RankedMember; readonly around: RankedMember[] } | undefined {
    const xp = this.xpOf(telegramUserId);
    if (xp === undefined) return undefined;
    const position = this.positionOf(xp, telegramUserId);
    const from = Math.max(0, position - neighbours);
    const around = this.slice(from, position + neighbours + 1 - from);
    return { me: around[position - from], around };
  }

  /** The bytes of the typed arrays: nearly all the index holds (~60 B a member at a million). */
  get bytes(): number {
    return (
      this.blocks.reduce((sum, block) => sum + block.xp.byteLength * 2, 0) +
      this.slotXp.byteLength +
      this.slotLevel.byteLength +
      this.slotVersion.byteLength +
      this.slots.bytes
    );
  }

  /** `count` members from `position` on, each with its rank (ties share the first position of their XP). */
  private slice(position: number, count: number): RankedMember[] {
    const out: RankedMember[] = [];
    if (count <= 0 || position >= this.count) return out;
    let b = 0;
    let i = position;
    while (i >= this.blocks[b].n) i -= this.blocks[b++].n;
    let previousXp = Number.NaN;
    let rank = 0;
    while (out.length < count && b < this.blocks.length) {
      const block = this.blocks[b];
      for (; i < block.n && out.length < count; i++) {
        const xp = block.xp[i];
        if (xp !== previousXp) {
          // The first of a run of equal XP in the slice may share its rank with members before it.
          rank = out.length === 0 ? this.rankOf(xp) : position + out.length + 1;
          previousXp = xp;
        }
        const id = block.id[i];
        out.push({ rank, telegramUserId: id, xp, level: this.slotLevel[this.slots.get(id)!] });
      }
      b++;
      i = 0;
    }
    return out;
  }

  /** How many entries come before (xp, id) in board order. */
  private positionOf(xp: number, id: number): number {
    const b = this.blockFor(xp, id);
    let before = 0;
    for (let k = 0; k < b; k++) before += this.blocks[k].n;
    return before + lowerBound(this.blocks[b], xp, id);
  }

  /** The first block whose last entry is not before (xp, id); the last block when every entry is. */
  private blockFor(xp: number, id: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid];
      if (block.n > 0 && compare(block.xp[block.n - 1], block.id[block.n - 1], xp, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertKey(xp: number, id: number): void {
    const b = this.blockFor(xp, id);
    const block = this.blocks[b];
    const at = lowerBound(block, xp, id);
    makeRoom(block);
    block.xp.copyWithin(at + 1, at, block.n);
    block.id.copyWithin(at + 1, at, block.n);
    block.xp[at] = xp;
    block.id[at] = id;
    block.n++;
    this.count++;
    if (block.n === BLOCK) {
      const half = BLOCK >>> 1;
      const right = newBlock();
      right.xp.set(block.xp.subarray(half, BLOCK));
      right.id.set(block.id.subarray(half, BLOCK));
      right.n = BLOCK - half;
      block.n = half;
      this.blocks.splice(b + 1, 0, right);
    }
  }

  private removeKey(xp: number, id: number): void {
    const b = this.blockFor(xp, id);
    const block = this.blocks[b];
    const at = lowerBound(block, xp, id);
    if (at >= block.n || block.xp[at] !== xp || block.id[at] !== id) throw new Error(`rank index out of step: member ${id} with ${xp} XP not found`);
    block.xp.copyWithin(at, at + 1, block.n);
    block.id.copyWithin(at, at + 1, block.n);
    block.n--;
    this.count--;
    if (block.n === 0 && this.blocks.length > 1) this.blocks.splice(b, 1);
  }

  private allocateSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.nextSlot === this.slotXp.length) {
      const grow = <T extends Float64Array | Int32Array>(from: T, to: T): T => {
        // A fresh array of twice the size: the old one is garbage at once, never both kept.
        to.set(from);
        return to;
      };
      const capacity = this.slotXp.length * 2;
      this.slotXp = grow(this.slotXp, new Float64Array(capacity));
      this.slotLevel = grow(this.slotLevel, new Int32Array(capacity));
      this.slotVersion = grow(this.slotVersion, new Int32Array(capacity));
    }
    return this.nextSlot++;
  }
}

/**
 * Sorts the first `count` entries (xp[i], id[i]) into board order in place: a quicksort on the two arrays
 * (ids are distinct, so every key is), with no array of objects and no comparator calls through
 * Array.prototype.sort's copy, so a million entries sort without growing the heap.
 */
function sortInBoardOrder(xp: Float64Array, id: Float64Array, count: number): void {
  const swap = (a: number, b: number): void => {
    const x = xp[a];
    xp[a] = xp[b];
    xp[b] = x;
    const i = id[a];
    id[a] = id[b];
    id[b] = i;
  };
  const pending: number[] = [];
  let lo = 0;
  let hi = count - 1;
  for (;;) {
    while (hi - lo > 16) {
      const mid = (lo + hi) >>> 1;
      const pivotXp = xp[mid];
      const pivotId = id[mid];
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (compare(xp[i], id[i], pivotXp, pivotId) < 0) i++;
        while (compare(xp[j], id[j], pivotXp, pivotId) > 0) j--;
        if (i <= j) swap(i++, j--);
      }
      // The larger side waits, the smaller one goes on: the pending stack stays O(log n).
      if (j - lo < hi - i) {
        pending.push(i, hi);
        hi = j;
      } else {
        pending.push(lo, j);
        lo = i;
      }
    }
    for (let k = lo + 1; k <= hi; k++) {
      for (let m = k; m > lo && compare(xp[m - 1], id[m - 1], xp[m], id[m]) > 0; m--) swap(m - 1, m);
    }
    if (pending.length === 0) return;
    hi = pending.pop()!;
    lo = pending.pop()!;
  }
}

/** The index of the first entry of `block` not before (xp, id). */
function lowerBound(block: Block, xp: number, id: number): number {
  let lo = 0;
  let hi = block.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(block.xp[mid], block.id[mid], xp, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An id table is at most this full: 0.7 keeps a miss (summing a group's bots asks each board) to a few probes. */
const MAX_LOAD = 0.7;

/**
 * Telegram id → slot, open addressing with linear probing in two typed arrays (12 B a place, at most
 * 70 % full). A `Map` would cost ~40 B an entry plus a 16 B heap number for every id above 2^31 — most
 * of today's ids — and give the garbage collector a million objects to walk. Any capacity, not a power
 * of two (a hash maps to a place by multiplying, not masking): at a million members a power of two would
 * be 2^21 places, 24 MiB, where 1.43 M places (17 MiB) are enough.
 */
class IdTable {
  private keys = new Float64Array(32);
  private values = new Int32Array(32);
  private count = 0;

  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  get(id: number): number | undefined {
    const capacity = this.keys.length;
    for (let i = this.home(id); ; i = i + 1 === capacity ? 0 : i + 1) {
      const key = this.keys[i];
      if (key === id) return this.values[i];
      if (key === 0) return undefined;
    }
  }

  set(id: number, value: number): void {
    if (this.count + 1 > this.keys.length * MAX_LOAD) this.grow(this.keys.length * 2);
    const capacity = this.keys.length;
    let i = this.home(id);
    while (this.keys[i] !== 0 && this.keys[i] !== id) i = i + 1 === capacity ? 0 : i + 1;
    if (this.keys[i] === 0) this.count++;
    this.keys[i] = id;
    this.values[i] = value;
  }

  /** Backward-shift deletion: the entries after the hole move up when their home allows, so no tombstones. */
  delete(id: number): void {
    const capacity = this.keys.length;
    const next = (i: number) => (i + 1 === capacity ? 0 : i + 1);
    let hole = this.home(id);
    while (this.keys[hole] !== id) {
      if (this.keys[hole] === 0) return;
      hole = next(hole);
    }
    for (let j = next(hole); this.keys[j] !== 0; j = next(j)) {
      const home = this.home(this.keys[j]);
      // Stays when its home lies cyclically in (hole, j]: moving it before its home would lose it.
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      this.keys[hole] = this.keys[j];
      this.values[hole] = this.values[j];
      hole = j;
    }
    this.keys[hole] = 0;
    this.count--;
  }

  private home(id: number): number {
    // Both halves of an id up to 2^53, mixed (murmur3's finaliser): sequential ids spread out; then the
    // 32-bit hash scaled onto the capacity (below it: the product stays under capacity · 2^32).
    let h = (id >>> 0) ^ Math.imul(Math.floor(id / 4_294_967_296), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return Math.floor(((h ^ (h >>> 16)) >>> 0) * (this.keys.length / 4_294_967_296));
  }

  reserve(entries: number): void {
    const capacity = Math.ceil(entries / MAX_LOAD) + 1;
    if (capacity > this.keys.length) this.grow(capacity);
  }

  private grow(capacity: number): void {
    const { keys, values } = this;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 0) continue;
      let j = this.home(keys[i]);
      while (this.keys[j] !== 0) j = j + 1 === capacity ? 0 : j + 1;
      this.keys[j] = keys[i];
      this.values[j] = values[i];
    }
  }
}
