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
 * short (at most 2 KiB moved) while a million members need only ~2,000–4,000 blocks to walk when
 * counting the entries before a block.
 */
const BLOCK = 512;

/** The slots of its entries (a slot holds the member's id, XP, level and version), in board order. */
interface Block {
  slots: Int32Array;
  n: number;
}

const REBUILT_FILL = (BLOCK * 7) / 8;

/** A board's first block starts small and doubles up to BLOCK: a bot with 3 members costs bytes, not 2 KiB. */
const FIRST_BLOCK = 8;

const newBlock = (capacity = BLOCK): Block => ({ slots: new Int32Array(capacity), n: 0 });

/** Room for one more entry in a block still below BLOCK places. */
const makeRoom = (block: Block): void => {
  if (block.n < block.slots.length) return;
  const slots = new Int32Array(Math.min(BLOCK, block.slots.length * 2));
  slots.set(block.slots);
  block.slots = slots;
};

/** Telegram user ids are positive (0 marks a free slot). */
const isMemberId = (id: number): boolean => Number.isSafeInteger(id) && id > 0;

/** -1 when (xpA, idA) comes before (xpB, idB) on the board, 1 after, 0 the same entry. */
const compare = (xpA: number, idA: number, xpB: number, idB: number): number => {
  if (xpA !== xpB) return xpA > xpB ? -1 : 1;
  return idA === idB ? 0 : idA < idB ? -1 : 1;
};

/**
 * An order-statistic index of one board (ADR 0015): a two-level B-tree whose leaves are sorted blocks
 * of slot numbers (Int32Array) with each block's count; a slot holds the member's id, XP, level and the
 * stream position of the last event applied, and an id table maps a Telegram id to its slot. A rank is
 * the count of the entries before the member's XP (sum of the block counts before, then a binary search
 * in one block); the top N and the neighbours are a walk from a position. Members without XP are not on
 * the board.
 *
 * Memory (~35 B a member at a million): an entry is 4 B in a block (7/8 full after a rebuild), a slot
 * 24 B (id and XP as doubles, level and version as int32), the id table 4 B a place at most 70 % full.
 * The blocks and the id table hold slot numbers, not (XP, id) doubles: comparing goes through the slot
 * (one more memory access per step of a search of ~20 steps), which costs nanoseconds where the doubles
 * cost ~18 B a member more.
 *
 * Numbers, not bigints: Telegram ids have at most 52 significant bits, and XP above 2^53 would be
 * 9 quadrillion points; `set` refuses what a double cannot hold exactly.
 */
export class RankIndex {
  private blocks: Block[] = [newBlock(FIRST_BLOCK)];
  private slotId = new Float64Array(16);
  private slotXp = new Float64Array(16);
  private slotLevel = new Int32Array(16);
  private slotVersion = new Int32Array(16);
  private readonly slots = new IdTable(() => this.slotId);
  private freeSlots: number[] = [];
  private nextSlot = 0;
  private count = 0;
  /** Blocks reserved for a rebuild, in one allocation (`reserve`), handed out by `appendSorted`. */
  private reservedBlocks: { slab: Int32Array; next: number } | undefined;
  /** Counts every change of an entry (place, XP or level): what a cached answer was computed at. */
  private changes = 0;
  /** The last top N answered, reused while nothing on the board changed (read far more often than written). */
  private lastTop: { readonly limit: number; readonly changes: number; readonly members: readonly RankedMember[] } | undefined;

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
      this.changes++;
      this.slotVersion[slot] = version;
      this.slotLevel[slot] = level;
      if (oldXp === xp) return true;
      this.removeKey(slot);
      if (xp === 0) {
        this.slots.delete(telegramUserId);
        this.slotId[slot] = 0;
        this.freeSlots.push(slot);
        return true;
      }
      this.slotXp[slot] = xp;
      this.insertKey(slot);
      return true;
    }
    if (xp === 0) return false;
    this.changes++;
    const fresh = this.allocateSlot(telegramUserId, xp, level, version);
    this.slots.set(telegramUserId, fresh);
    this.insertKey(fresh);
    return true;
  }

  /**
   * Raises the level of a member on the board to `level` if it is higher, keeping their XP and place
   * (a group's stored level, which only rises). False when the member is not on the board.
   */
  raiseLevel(telegramUserId: number, level: number): boolean {
    const slot = this.slots.get(telegramUserId);
    if (slot === undefined) return false;
    if (level > this.slotLevel[slot]) {
      this.slotLevel[slot] = level;
      this.changes++;
    }
    return true;
  }

  /**
   * Adds members given in board order to an empty index, filling blocks to 7/8 so the first inserts
   * do not split at once. The fast path of a rebuild: no search, no shift.
   */
  appendSorted(telegramUserId: number, xp: number, level: number): void {
    if (xp <= 0) return;
    let last = this.blocks[this.blocks.length - 1];
    if (last.n > 0) {
      const previous = last.slots[last.n - 1];
      if (compare(this.slotXp[previous], this.slotId[previous], xp, telegramUserId) >= 0) {
        throw new RangeError(`appendSorted out of board order at member ${telegramUserId}`);
      }
    }
    if (this.slots.get(telegramUserId) !== undefined) throw new RangeError(`appendSorted: member ${telegramUserId} twice`);
    if (!isMemberId(telegramUserId) || !Number.isSafeInteger(xp)) {
      throw new RangeError(`leaderboard entry out of range: member ${telegramUserId}, xp ${xp}`);
    }
    if (last.n >= REBUILT_FILL) {
      last = this.reservedBlock() ?? newBlock();
      this.blocks.push(last);
    }
    makeRoom(last);
    const slot = this.allocateSlot(telegramUserId, xp, level, 0);
    this.slots.set(telegramUserId, slot);
    last.slots[last.n++] = slot;
    this.count++;
    this.changes++;
  }

  /**
   * Makes room for `members` at once, so a rebuild that knows its count does not double its arrays
   * on the way (each doubling leaves the old arrays behind: ~20 MiB of garbage at a million). Exactly
   * `members` slots, not the next power of two.
   */
  reserve(members: number): void {
    if (members > this.slotXp.length) this.resizeSlots(members);
    this.slots.reserve(members);
    if (this.count === 0 && members > BLOCK) {
      // The blocks a rebuild of `members` fills, in one allocation made now, before the pages are read: ~2,000
      // blocks of 2 KiB each allocated between the driver's freed buffers would keep those buffers' pages in
      // the C allocator's heap (and the RSS) for good.
      this.reservedBlocks = { slab: new Int32Array(Math.ceil(members / REBUILT_FILL) * BLOCK), next: 0 };
      this.blocks = [this.reservedBlock()!];
    }
  }

  /** The next block of the reserved slab, if any is left. */
  private reservedBlock(): Block | undefined {
    const reserved = this.reservedBlocks;
    if (!reserved) return undefined;
    const from = reserved.next * BLOCK;
    if (from >= reserved.slab.length) {
      this.reservedBlocks = undefined;
      return undefined;
    }
    reserved.next++;
    return { slots: reserved.slab.subarray(from, from + BLOCK), n: 0 };
  }

  /** Calls `visit` with each member on the board, in board order. */
  forEach(visit: (telegramUserId: number, xp: number) => void): void {
    for (const block of this.blocks) {
      for (let i = 0; i < block.n; i++) {
        const slot = block.slots[i];
        visit(this.slotId[slot], this.slotXp[slot]);
      }
    }
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

  /**
   * Copies the members strictly after (xp, id) in board order into `ids` and `xps`, as many as they hold;
   * returns how many. (Infinity, 0) reads from the first. A walk that may pause between calls while the
   * board changes (a group board built in steps): it goes on after the last key it read, not a position.
   */
  readAfter(xp: number, id: number, ids: Float64Array, xps: Float64Array): number {
    let b = this.blockFor(xp, id);
    let i = this.lowerBound(this.blocks[b], xp, id);
    let n = 0;
    while (n < ids.length && b < this.blocks.length) {
      const block = this.blocks[b];
      for (; i < block.n && n < ids.length; i++) {
        const slot = block.slots[i];
        if (this.slotXp[slot] === xp && this.slotId[slot] === id) continue;
        ids[n] = this.slotId[slot];
        xps[n++] = this.slotXp[slot];
      }
      b++;
      i = 0;
    }
    return n;
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

  /**
   * The first `limit` members in board order. The same array is answered again while the board has not
   * changed since: callers share it, so it is read-only.
   */
  top(limit: number): readonly RankedMember[] {
    const last = this.lastTop;
    if (last && last.limit === limit && last.changes === this.changes) return last.members;
    const members = this.slice(0, limit);
    this.lastTop = { limit, changes: this.changes, members };
    return members;
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

  /** The bytes of the typed arrays: nearly all the index holds (~35 B a member at a million). */
  get bytes(): number {
    return (
      this.blocks.reduce((sum, block) => sum + block.slots.byteLength, 0) +
      this.slotId.byteLength +
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
        const slot = block.slots[i];
        const xp = this.slotXp[slot];
        if (xp !== previousXp) {
          // The first of a run of equal XP in the slice may share its rank with members before it.
          rank = out.length === 0 ? this.rankOf(xp) : position + out.length + 1;
          previousXp = xp;
        }
        out.push({ rank, telegramUserId: this.slotId[slot], xp, level: this.slotLevel[slot] });
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
    return before + this.lowerBound(this.blocks[b], xp, id);
  }

  /** The first block whose last entry is not before (xp, id); the last block when every entry is. */
  private blockFor(xp: number, id: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid];
      if (block.n > 0 && this.compareSlot(block.slots[block.n - 1], xp, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index of the first entry of `block` not before (xp, id). */
  private lowerBound(block: Block, xp: number, id: number): number {
    let lo = 0;
    let hi = block.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareSlot(block.slots[mid], xp, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compareSlot(slot: number, xp: number, id: number): number {
    return compare(this.slotXp[slot], this.slotId[slot], xp, id);
  }

  private insertKey(slot: number): void {
    const xp = this.slotXp[slot];
    const id = this.slotId[slot];
    const b = this.blockFor(xp, id);
    const block = this.blocks[b];
    const at = this.lowerBound(block, xp, id);
    makeRoom(block);
    block.slots.copyWithin(at + 1, at, block.n);
    block.slots[at] = slot;
    block.n++;
    this.count++;
    if (block.n === BLOCK) {
      const half = BLOCK >>> 1;
      const right = newBlock();
      right.slots.set(block.slots.subarray(half, BLOCK));
      right.n = BLOCK - half;
      block.n = half;
      this.blocks.splice(b + 1, 0, right);
    }
  }

  /** Takes the slot's entry (at its current XP) out of the blocks. */
  private removeKey(slot: number): void {
    const xp = this.slotXp[slot];
    const id = this.slotId[slot];
    const b = this.blockFor(xp, id);
    const block = this.blocks[b];
    const at = this.lowerBound(block, xp, id);
    if (at >= block.n || block.slots[at] !== slot) throw new Error(`rank index out of step: member ${id} with ${xp} XP not found`);
    block.slots.copyWithin(at, at + 1, block.n);
    block.n--;
    this.count--;
    if (block.n === 0 && this.blocks.length > 1) this.blocks.splice(b, 1);
  }

  private allocateSlot(id: number, xp: number, level: number, version: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      if (this.nextSlot === this.slotXp.length) this.resizeSlots(this.slotXp.length * 2);
      slot = this.nextSlot++;
    }
    this.slotId[slot] = id;
    this.slotXp[slot] = xp;
    this.slotLevel[slot] = level;
    this.slotVersion[slot] = version;
    return slot;
  }

  /** Fresh arrays of `capacity` slots: the old ones are garbage at once, never both kept. */
  private resizeSlots(capacity: number): void {
    const grow = <T extends Float64Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.slotId = grow(this.slotId, new Float64Array(capacity));
    this.slotXp = grow(this.slotXp, new Float64Array(capacity));
    this.slotLevel = grow(this.slotLevel, new Int32Array(capacity));
    this.slotVersion = grow(this.slotVersion, new Int32Array(capacity));
  }
}

/**
 * Sorts the first `count` entries (xp[i], id[i]) into board order in place: a quicksort on the two arrays
 * (ids are distinct, so every key is), with no array of objects and no comparator calls through
 * Array.prototype.sort's copy, so a million entries sort without growing the heap.
 */
export function sortInBoardOrder(xp: Float64Array, id: Float64Array, count: number): void {
  sortRange(xp, id, 0, count - 1);
}

const swapEntries = (xp: Float64Array, id: Float64Array, a: number, b: number): void => {
  const x = xp[a];
  xp[a] = xp[b];
  xp[b] = x;
  const i = id[a];
  id[a] = id[b];
  id[b] = i;
};

/**
 * One quicksort partition of the entries lo..hi around the middle one: returns [j, i], the entries lo..j all
 * come before i..hi (and those between, if any, are in place). What a sort in steps (group-sums.ts) is made of.
 */
export function partitionRange(xp: Float64Array, id: Float64Array, lo: number, hi: number): [number, number] {
  const mid = (lo + hi) >>> 1;
  const pivotXp = xp[mid];
  const pivotId = id[mid];
  let i = lo;
  let j = hi;
  while (i <= j) {
    while (compare(xp[i], id[i], pivotXp, pivotId) < 0) i++;
    while (compare(xp[j], id[j], pivotXp, pivotId) > 0) j--;
    if (i <= j) swapEntries(xp, id, i++, j--);
  }
  return [j, i];
}

/** Sorts the entries lo..hi (inclusive) into board order in place (sortInBoardOrder). */
export function sortRange(xp: Float64Array, id: Float64Array, from: number, to: number): void {
  const pending: number[] = [];
  let lo = from;
  let hi = to;
  for (;;) {
    while (hi - lo > 16) {
      const [j, i] = partitionRange(xp, id, lo, hi);
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
      for (let m = k; m > lo && compare(xp[m - 1], id[m - 1], xp[m], id[m]) > 0; m--) swapEntries(xp, id, m - 1, m);
    }
    if (pending.length === 0) return;
    hi = pending.pop()!;
    lo = pending.pop()!;
  }
}

/** An id table is at most this full: 0.7 keeps a miss (summing a group's bots asks each board) to a few probes. */
const MAX_LOAD = 0.7;

/**
 * Telegram id → slot, open addressing with linear probing over one Int32Array of slot + 1 (0: an empty
 * place), the id itself read from the board's slots (4 B a place, at most 70 % full). A `Map` would cost
 * ~40 B an entry plus a 16 B heap number for every id above 2^31 (most of today's ids) and give the garbage
 * collector a million objects to walk; keeping the ids here too would cost 8 B more a place. Any capacity,
 * not a power of two (a hash maps to a place by multiplying, not masking).
 */
class IdTable {
  private places = new Int32Array(24);
  private count = 0;

  /** `idsOfSlots()[slot]` is the id in a slot: the board's array, read anew since it is replaced when it grows. */
  constructor(private readonly idsOfSlots: () => Float64Array) {}

  get bytes(): number {
    return this.places.byteLength;
  }

  get(id: number): number | undefined {
    const ids = this.idsOfSlots();
    const capacity = this.places.length;
    for (let i = this.home(id, capacity); ; i = i + 1 === capacity ? 0 : i + 1) {
      const place = this.places[i];
      if (place === 0) return undefined;
      if (ids[place - 1] === id) return place - 1;
    }
  }

  /** Adds an id not in the table yet (its slot already holds it). */
  set(id: number, slot: number): void {
    if (this.count + 1 > this.places.length * MAX_LOAD) this.grow(this.places.length * 2);
    const capacity = this.places.length;
    let i = this.home(id, capacity);
    while (this.places[i] !== 0) i = i + 1 === capacity ? 0 : i + 1;
    this.places[i] = slot + 1;
    this.count++;
  }

  /** Backward-shift deletion: the entries after the hole move up when their home allows, so no tombstones. */
  delete(id: number): void {
    const ids = this.idsOfSlots();
    const capacity = this.places.length;
    const next = (i: number) => (i + 1 === capacity ? 0 : i + 1);
    let hole = this.home(id, capacity);
    for (;;) {
      const place = this.places[hole];
      if (place === 0) return;
      if (ids[place - 1] === id) break;
      hole = next(hole);
    }
    for (let j = next(hole); this.places[j] !== 0; j = next(j)) {
      const home = this.home(ids[this.places[j] - 1], capacity);
      // Stays when its home lies cyclically in (hole, j]: moving it before its home would lose it.
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      this.places[hole] = this.places[j];
      hole = j;
    }
    this.places[hole] = 0;
    this.count--;
  }

  private home(id: number, capacity: number): number {
    // Both halves of an id up to 2^53, mixed (murmur3's finaliser): sequential ids spread out; then the
    // 32-bit hash scaled onto the capacity (below it: the product stays under capacity · 2^32).
    let h = (id >>> 0) ^ Math.imul(Math.floor(id / 4_294_967_296), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return Math.floor(((h ^ (h >>> 16)) >>> 0) * (capacity / 4_294_967_296));
  }

  reserve(entries: number): void {
    const capacity = Math.ceil(entries / MAX_LOAD) + 1;
    if (capacity > this.places.length) this.grow(capacity);
  }

  private grow(capacity: number): void {
    const ids = this.idsOfSlots();
    const { places } = this;
    this.places = new Int32Array(capacity);
    for (let i = 0; i < places.length; i++) {
      if (places[i] === 0) continue;
      let j = this.home(ids[places[i] - 1], capacity);
      while (this.places[j] !== 0) j = j + 1 === capacity ? 0 : j + 1;
      this.places[j] = places[i];
    }
  }
}
