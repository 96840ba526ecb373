import { headers } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { AppendSubscription, Checkpoint, ReadAllResult, RecordedEvent } from '@botplatform/event-store';
import type { BusNaming } from '../bus-naming.js';
import type { ProducerDefinition, RunningProducer } from '../event-bus.js';
import { PollTimer } from '../poll-timer.js';
import { SpanKind, contextFromHeaders, inSpan, traceHeaders } from '../observability/trace-context.js';
import { encodePublicEvent } from '../public-event.js';

export interface EventRelayOptions {
  /** Events read and published per round (default 500). */
  readonly batchSize?: number;
  /**
   * Idle poll (default 100 ms): the fallback. In-process appends wake the relay at once, appends from
   * other processes through PostgreSQL LISTEN/NOTIFY (see `listen`).
   */
  readonly pollIntervalMs?: number;
  /** LISTEN for the store's append notifications on a dedicated connection (default true). */
  readonly listen?: boolean;
  /** Pause before listening again after the LISTEN connection was lost (default 1 s). */
  readonly listenReconnectDelayMs?: number;
  /**
   * Poll while committed events are held back by an older open transaction (default 20 ms): their
   * notification came already, nothing else will wake the relay when that transaction ends.
   */
  readonly heldBackPollMs?: number;
  /** Pause after a failed round (default 500 ms). */
  readonly retryDelayMs?: number;
  /** Crash-test seam: runs after the publish acks and before the checkpoint moves. */
  readonly afterPublish?: () => Promise<void> | void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Publishes a service's public events to JetStream in commit order. The event store is the outbox:
 * nothing is published inside a request. Each event goes out with `Nats-Msg-Id` = its event id, and
 * the checkpoint moves only after JetStream acknowledged the whole round, so a crash between the two
 * republishes the round and JetStream's duplicate window drops what it already has.
 */
export class EventRelay implements RunningProducer {
  readonly service: string;
  private readonly checkpointName: string;
  private running = true;
  private readonly timer = new PollTimer();
  private readonly loop: Promise<void>;
  private readonly unsubscribe: () => void;
  private readonly listening: Promise<AppendSubscription | undefined>;
  private notifications: AppendSubscription | undefined;
  /** Transactions the relay was woken for once already (see `wakeFor`). */
  private readonly wokenFor = new Set<string>();
  /** The last error of a round, cleared by the next good round (for health checks). */
  lastError: unknown;
  published = 0;
  /**
   * Seconds since the oldest committed event not published yet was recorded, as of the last idle
   * round (0 when caught up): the relay's lag, mostly the wait for older transactions to end.
   */
  lagSeconds = 0;
  /** The checkpoint as of this relay's last round (undefined: load it). */
  private knownCheckpoint: Checkpoint | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly naming: BusNaming,
    private readonly producer: ProducerDefinition,
    private readonly options: EventRelayOptions = {},
  ) {
    this.service = producer.service;
    this.checkpointName = `relay:jetstream:${naming.namespace || 'default'}`;
    // Each committed append wakes the relay once. An append that was its own transaction wakes it in
    // process, at once; its commit notification, which follows, is then passed over. An append inside
    // a caller's transaction is told before that transaction commits: while the LISTEN is up, the
    // commit's notification wakes the relay instead (a round woken before the commit finds nothing,
    // costs two round trips and delays the round that would find it).
    this.unsubscribe = producer.store.onAppended(({ committed, transactionId }) => {
      if (committed) this.wakeFor(transactionId);
      else if (!this.notifications?.listening) this.timer.wake();
    });
    this.listening =
      options.listen === false
        ? Promise.resolve(undefined)
        : producer.store
            .listenForAppends((transactionId) => (transactionId ? this.wakeFor(transactionId) : this.timer.wake()), {
              reconnectDelayMs: options.listenReconnectDelayMs,
              onError: options.onError,
            })
            .then((subscription) => (this.notifications = subscription))
            .catch((error: unknown) => {
              options.onError?.(error);
              return undefined; // the poll still runs
            });
    this.loop = this.run();
  }

  /** The LISTEN for other processes' appends, once set up (undefined when off or failed). */
  get appendNotifications(): Promise<AppendSubscription | undefined> {
    return this.listening;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe();
    this.timer.close();
    await (await this.listening)?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    // Woken by an append (in this process or through NOTIFY): events are very likely there.
    let woken = false;
    while (this.running) {
      let moved = 0;
      let heldBack = false;
      try {
        const store = this.producer.store;
        const known = this.knownCheckpoint ?? (await store.loadCheckpoint(this.checkpointName));
        // A round woken by an append reads its page under the turn's lock, in the lock's round trip
        // (one round trip less before the publish: the relay's share of the append → effect latency).
        // Any other round reads first outside any transaction: an idle one then takes no lock and no
        // transaction id (every transaction id held open, even for a few ms, holds back every reader
        // on the server).
        const probe: ReadAllResult | undefined = woken ? undefined : await store.readAll({ after: known, limit: batchSize });
        let checkpoint = known;
        // What follows the last page read: held back by an older transaction, or nothing (caught up).
        let following: ReadAllResult['following'] = probe?.following;
        if (!probe || probe.events.length > 0) {
          checkpoint = await store.advanceCheckpoint(
            this.checkpointName,
            async (current, lockedPage) => {
              // Unless another instance moved the checkpoint meanwhile, the page read is the one to
              // publish: whatever commits later sorts after it (ADR 0002).
              const page = lockedPage ?? (probe && sameCheckpoint(current, known) ? probe : await store.readAll({ after: current, limit: batchSize }));
              following = page.following;
              if (page.events.length === 0) return undefined;
              const oldestRecordedAt = page.events[0].metadata.recordedAt.getTime();
              const published = await this.publish(page.events);
              this.producer.observer?.relayRound?.(published, page.events.length, Math.max(0, (Date.now() - oldestRecordedAt) / 1_000));
              await this.options.afterPublish?.();
              moved = page.events.length;
              return page.checkpoint satisfies Checkpoint;
            },
            probe ? {} : { readPage: batchSize },
          );
        }
        this.knownCheckpoint = checkpoint;
        if (moved < batchSize) {
          // Caught up with what may be read; anything still there waits for an older transaction. The
          // page's read said so already: an event committed since has woken the relay for another round.
          heldBack = following?.heldBack === true;
          this.lagSeconds = heldBack ? Math.max(0, (Date.now() - following!.recordedAt.getTime()) / 1_000) : 0;
          this.producer.observer?.relayLag?.(this.lagSeconds);
        }
        this.lastError = undefined;
      } catch (error) {
        this.knownCheckpoint = undefined; // read it again: the round may have moved it or not
        this.lastError = error;
        this.options.onError?.(error);
        await this.timer.sleep(this.options.retryDelayMs ?? 500, { wakeable: false });
        woken = false;
        continue;
      }
      // A full page: more is there, read it at once (under the lock, as a woken round does).
      woken = moved >= batchSize || (await this.timer.sleep(heldBack ? (this.options.heldBackPollMs ?? 20) : (this.options.pollIntervalMs ?? 100)));
    }
  }

  /**
   * Wakes the relay for a committed transaction unless it was woken for that one already: the same
   * commit is told twice when this process appended it (in process, then by its notification), in
   * either order.
   */
  private wakeFor(transactionId: string): void {
    if (this.wokenFor.delete(transactionId)) return;
    this.wokenFor.add(transactionId);
    // Most ids are never told twice (other processes' commits, or a notification lost): keep the newest.
    if (this.wokenFor.size > WOKEN_FOR_REMEMBERED) this.wokenFor.delete(this.wokenFor.values().next().value!);
    this.timer.wake();
  }

  /** Publishes the events' public forms; returns how many there were. */
  private async publish(events: readonly RecordedEvent[]): Promise<number> {
    const acks: Promise<unknown>[] = [];
    for (const event of events) {
      const encoded = encodePublicEvent(event, this.producer.toPublic);
      if (!encoded) continue;
      const hdrs = headers();
      hdrs.set('Nats-Msg-Id', encoded.eventId);
      const subject = this.naming.wireSubject(encoded.subject);
      // Continues the trace of the request that appended the event (kept in the store), so the
      // consumers' spans join it too. Published back to back on one connection, so JetStream stores
      // them in this order: the span is started and the publish sent synchronously.
      const { traceParent } = event.metadata;
      acks.push(
        inSpan(
          `publish ${encoded.subject}`,
          {
            parent: traceParent ? contextFromHeaders({ traceparent: traceParent }) : undefined,
            kind: SpanKind.PRODUCER,
            attributes: { 'messaging.message.id': encoded.eventId },
          },
          async () => {
            for (const [key, value] of Object.entries(traceHeaders())) hdrs.set(key, value);
            return this.js.publish(subject, encoded.bytes, { headers: hdrs });
          },
        ),
      );
    }
    await Promise.all(acks);
    this.published += acks.length;
    return acks.length;
  }
}

const WOKEN_FOR_REMEMBERED = 256;

function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return a.transactionId === b.transactionId && a.globalPosition === b.globalPosition;
}
