import type { Checkpoint, RecordedEvent } from '@botplatform/event-store';
import type { ProducerDefinition } from '../event-bus.js';
import { encodePublicEvent } from '../public-event.js';

/** A consumer's view of the store reads it has used, so the feed can tell what is new to it. */
export interface FeedReader {
  /** The sequence number of the latest store read this reader was served from (0: none yet). */
  lastRead: number;
}

interface StoreRead {
  readonly seq: number;
  /** Set once the read has started (after the one before it): joining it then gets all committed by now. */
  started: boolean;
  /** The feed's append generation when the read started: a later in-process append is not in it. */
  generation: number;
  readonly done: Promise<void>;
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) => a.transactionId === b.transactionId && a.globalPosition === b.globalPosition;
/** Commit order: transaction id, then position. */
const compareCheckpoints = (a: Checkpoint, b: Checkpoint) => {
  const byTransaction = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (byTransaction !== 0n) return byTransaction > 0n ? 1 : -1;
  const byPosition = BigInt(a.globalPosition) - BigInt(b.globalPosition);
  return byPosition === 0n ? 0 : byPosition > 0n ? 1 : -1;
};
const checkpointOf = (event: RecordedEvent): Checkpoint => ({ transactionId: event.metadata.transactionId, globalPosition: event.metadata.globalPosition });

/**
 * One producer's new events, read once for all its embedded consumers. Seventeen consumers woken by one
 * append each read the same rows and position themselves at the same head; here the first one's read
 * is shared by those that ask while it runs or after it, and the feed keeps the latest events so a
 * consumer a little behind the head is served from memory.
 *
 * Serving from memory is the same as reading the store: `readAll` returns only events below the xmin
 * horizon, in (transaction id, position) order, so what follows a checkpoint never changes once read.
 * A consumer at the head takes a store read only if it started after the last one this consumer used
 * (so a poll still polls: an append by another process is seen within one poll interval) and after
 * the latest in-process append (so an append that woke it is in what it gets). Everything else — a
 * consumer further behind than the feed keeps — reads the store itself, as before.
 */
export class ProducerFeed {
  /** The latest events read at the head, in commit order, all after `base`. */
  private events: RecordedEvent[] = [];
  private base: Checkpoint | undefined;
  private generation = 0;
  private seq = 0;
  private latest: StoreRead | undefined;
  private readonly unsubscribe: () => void;
  /** The public message of each kept event, mapped once for every consumer. */
  private readonly encoded = new WeakMap<RecordedEvent, ReturnType<typeof encodePublicEvent>>();

  constructor(
    readonly producer: ProducerDefinition,
    /** Events per store read. */
    private readonly pageSize: number,
    /** Events kept behind the head (a few pages, so consumers at different points of a burst share them). */
    private readonly keep: number,
  ) {
    this.unsubscribe = producer.store.onAppended(() => this.generation++);
  }

  close(): void {
    this.unsubscribe();
  }

  /** Up to `limit` events after `after`, in commit order, as `store.readAll` would return them. */
  async read(reader: FeedReader, after: Checkpoint, limit: number): Promise<readonly RecordedEvent[]> {
    this.base ??= after;
    for (;;) {
      const kept = this.keptAfter(after);
      if (kept === undefined) return this.readBesideTheFeed(after, limit);
      if (kept.length > 0) return kept.slice(0, limit);
      // At the head: the next store read if one is waiting to start (it starts after this call), the
      // running or last one if no in-process append came since it started and this reader has not
      // used it yet, else a new one.
      const latest = this.latest;
      const fresh = latest && latest.seq > reader.lastRead && (!latest.started || latest.generation === this.generation);
      const read = fresh ? latest : this.nextRead();
      await read.done;
      reader.lastRead = read.seq;
      const found = this.keptAfter(after);
      // undefined: the feed was reset meanwhile (a consumer ahead of it); read again to find out where.
      if (found !== undefined) return found.slice(0, limit);
    }
  }

  /**
   * A consumer behind what the feed keeps, or ahead of it, reads the store itself. Ahead of it, the
   * feed has fallen behind (no consumer reads through it): what this read returned becomes the feed.
   */
  private async readBesideTheFeed(after: Checkpoint, limit: number): Promise<readonly RecordedEvent[]> {
    const { events } = await this.producer.store.readAll({ after, limit });
    if (compareCheckpoints(after, this.head()) > 0) {
      // A read of the feed still running started at the old head: it sees the head moved and drops its rows.
      const kept = events.slice(-this.keep);
      this.base = kept.length < events.length ? checkpointOf(events[events.length - kept.length - 1]) : after;
      this.events = kept;
    }
    return events;
  }

  /** The producer's public message for an event (null: internal), mapped once per event. */
  encode(event: RecordedEvent): ReturnType<typeof encodePublicEvent> {
    if (this.encoded.has(event)) return this.encoded.get(event)!;
    const encoded = encodePublicEvent(event, this.producer.toPublic);
    this.encoded.set(event, encoded);
    return encoded;
  }

  /** The kept events after `after`; undefined when `after` is not the base or one of them. */
  private keptAfter(after: Checkpoint): RecordedEvent[] | undefined {
    if (!this.base) return undefined;
    if (sameCheckpoint(after, this.base)) return this.events;
    for (let i = this.events.length - 1; i >= 0; i--) {
      if (sameCheckpoint(after, checkpointOf(this.events[i]))) return this.events.slice(i + 1);
    }
    return undefined;
  }

  /** Queues a read after the head; it starts when the one before it is done (one read at a time). */
  private nextRead(): StoreRead {
    const previous = this.latest?.done.catch(() => {});
    const read: { -readonly [K in keyof StoreRead]: StoreRead[K] } = { seq: ++this.seq, started: false, generation: 0, done: Promise.resolve() };
    read.done = (async () => {
      await previous;
      read.started = true;
      read.generation = this.generation;
      const head = this.head();
      try {
        const { events } = await this.producer.store.readAll({ after: head, limit: this.pageSize });
        // A consumer ahead of the feed may have reset it meanwhile: then this read is not the feed's.
        if (!sameCheckpoint(head, this.head())) return;
        this.events.push(...events);
        if (this.events.length > this.keep) {
          const dropped = this.events.splice(0, this.events.length - this.keep);
          this.base = checkpointOf(dropped[dropped.length - 1]);
        }
      } catch (error) {
        // The readers waiting on it get the error once; the next to ask starts a new read.
        if (this.latest === read) this.latest = undefined;
        throw error;
      }
    })();
    this.latest = read;
    return read;
  }

  private head(): Checkpoint {
    return this.events.length ? checkpointOf(this.events[this.events.length - 1]) : this.base!;
  }
}
