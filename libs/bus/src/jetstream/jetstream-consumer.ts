import { AckPolicy, DeliverPolicy, JetStreamApiError, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers, nanos } from '@nats-io/nats-core';
import type { BusNaming } from '../bus-naming.js';
import type { ConsumerCore, Delivery, DeliveryOutcome } from '../consumer-core.js';
import type { DeadLetter, DeadLetterReplay, RunningConsumer } from '../event-bus.js';
import { readDeadLetters } from './dead-letters.js';

export interface JetStreamConsumerOptions {
  /** Most messages handed to the consumer before it acks (default 256). */
  readonly maxInFlight?: number;
  /** How long JetStream waits for an ack before redelivering (default 30 s). */
  readonly ackWaitMs?: number;
  /** Crash-test seam: runs after the effects commit and before the acks (or, catching up, before going on). */
  readonly afterCommit?: () => Promise<void> | void;
  readonly onError?: (error: unknown) => void;
}

/**
 * The stream sequences a dead instance of this consumer may have left unacked: delivered to it, not
 * (all) acked. JetStream redelivers them only once their ack wait has run out.
 */
interface Unsettled {
  readonly fromSeq: number;
  readonly toSeq: number;
}

/**
 * A durable pull consumer that keeps order within the stream even through retries: messages are
 * applied in stream-sequence order, and when one is nak'ed for a later retry, the messages behind it
 * are held (kept alive with `working()`, not nak'ed, so their delivery counts stay honest) until it
 * comes back. An event that keeps failing goes to the dead-letter stream and the rest keeps flowing.
 *
 * After a crash (one instance per durable, so unacked messages at start were a dead instance's), the
 * messages it held come back only after the ack wait (30 s), while newer ones arrive at once. Rather
 * than wait, the consumer first catches up: it reads the unsettled range straight from the stream, in
 * order, and applies it through the same core; only then does it apply anything the durable delivers.
 * The redeliveries that come later are inbox duplicates and are simply acked.
 *
 * Why not the alternatives: re-creating the durable at the ack floor leaves a window (between delete
 * and create) in which a crash makes the next start replay the whole stream; nats-server 2.9 has no
 * consumer reset; lowering the ack wait to hurry the redeliveries relies on how the server re-arms its
 * timer and would also redeliver what this instance holds, inflating delivery counts.
 */
export class JetStreamConsumer implements RunningConsumer {
  readonly name: string;
  private readonly pending: JsMsg[] = [];
  private awaitingSequence: number | undefined;
  /**
   * The last stream sequence the catch-up settled: what the durable delivers up to here are
   * redeliveries of settled messages, which may go through even while a retry holds the others.
   */
  private caughtUpTo = 0;
  /** Messages the catch-up dead-lettered: when the durable redelivers them, they are only terminated. */
  private readonly parkedWhileCatchingUp = new Set<number>();
  /**
   * Set when the catch-up had to stop at an event that is to be retried: the rest of the dead instance's
   * messages then come back with the ack wait, and nothing is applied until they can sort in first.
   */
  private holdUntil = 0;
  private running = true;
  private signal: (() => void) | undefined;
  private messages: { close(): Promise<void | Error> } | undefined;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly restoreInFlight: NodeJS.Timeout | undefined;
  private readonly pump: Promise<void>;
  private readonly worker: Promise<void>;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly naming: BusNaming,
    private readonly core: ConsumerCore,
    private readonly consumer: Consumer,
    private readonly options: JetStreamConsumerOptions,
    private readonly stream: string,
    unsettled: Unsettled | undefined,
  ) {
    this.name = core.definition.name;
    const ackWaitMs = options.ackWaitMs ?? 30_000;
    const startedAt = Date.now();
    this.keepAlive = setInterval(
      () => {
        for (const m of this.pending) m.working();
      },
      Math.max(100, ackWaitMs / 3),
    );
    if (unsettled) {
      // By then the dead instance's messages have come back and taken their in-flight slots again.
      this.restoreInFlight = setTimeout(() => {
        jsm.consumers.update(stream, this.name, { max_ack_pending: maxInFlightOf(options) }).catch((error) => options.onError?.(error));
      }, ackWaitMs + 1_000);
    }
    this.pump = this.receive();
    this.worker = (unsettled ? this.catchUp(unsettled, startedAt + ackWaitMs + 250) : Promise.resolve()).then(() => this.work());
  }

  static async start(
    js: JetStreamClient,
    jsm: JetStreamManager,
    naming: BusNaming,
    core: ConsumerCore,
    options: JetStreamConsumerOptions = {},
  ): Promise<JetStreamConsumer> {
    const stream = naming.streamOf(core.definition.source);
    const maxInFlight = maxInFlightOf(options);
    const config = {
      durable_name: core.definition.name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      // Our own policy parks at `maxDeliver`; the server's bound is a little higher so a crash
      // during the last attempt still gets the message redelivered, and parked, rather than dropped.
      max_deliver: core.maxDeliver + 2,
      max_ack_pending: maxInFlight,
    };
    let unsettled: Unsettled | undefined;
    try {
      const info = await jsm.consumers.info(stream, config.durable_name);
      if (info.num_ack_pending > 0) unsettled = { fromSeq: info.ack_floor.stream_seq + 1, toSeq: info.delivered.stream_seq };
      await jsm.consumers.update(stream, config.durable_name, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        // The dead instance's unacked messages still count against the limit until they are redelivered
        // and acked: without room for them, nothing newer would be delivered for an ack wait.
        max_ack_pending: config.max_ack_pending + info.num_ack_pending,
      });
    } catch (error) {
      // The broker said no such consumer: create it. A broker that did not answer (an outage) is no
      // reason to, and the caller retries the whole start.
      if (!(error instanceof JetStreamApiError)) throw error;
      await jsm.consumers.add(stream, config);
    }
    const consumer = await js.consumers.get(stream, config.durable_name);
    return new JetStreamConsumer(js, jsm, naming, core, consumer, options, stream, unsettled);
  }

  deadLetters(): Promise<DeadLetter[]> {
    return readDeadLetters(this.js, this.naming, this.name);
  }

  async replayDeadLetters(): Promise<DeadLetterReplay> {
    return this.core.replayDeadLetters(await this.deadLetters(), (letter) => this.jsm.streams.deleteMessage(this.naming.deadLetterStream, Number(letter.id)));
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.keepAlive);
    clearTimeout(this.restoreInFlight);
    await this.messages?.close();
    this.signal?.();
    await Promise.all([this.pump, this.worker]);
  }

  private async receive(): Promise<void> {
    while (this.running) {
      try {
        const messages = await this.consumer.consume({ max_messages: this.pending.length ? 64 : 256 });
        this.messages = messages;
        for await (const message of messages) {
          this.enqueue(message);
          if (!this.running) break;
        }
      } catch (error) {
        this.options.onError?.(error);
      }
      if (this.running) await new Promise((r) => setTimeout(r, 250));
    }
  }

  private enqueue(message: JsMsg): void {
    const at = this.pending.findIndex((m) => m.seq >= message.seq);
    if (at === -1) this.pending.push(message);
    else if (this.pending[at].seq === message.seq)
      this.pending[at] = message; // a redelivery replaces the stale copy
    else this.pending.splice(at, 0, message);
    this.signal?.();
  }

  private async work(): Promise<void> {
    while (this.running) {
      const ready = this.readyRun();
      if (ready.length === 0) {
        await new Promise<void>((resolve) => {
          this.signal = resolve;
          setTimeout(resolve, 1_000);
        });
        this.signal = undefined;
        continue;
      }
      try {
        await this.applyRun(ready);
      } catch (error) {
        // The database or the broker failed under us: nothing was acked, so everything is redelivered.
        this.options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Applies the range a dead instance left unsettled, read from the stream in order, before anything
   * the durable delivers. Nothing is acked here: the durable redelivers these messages after the ack
   * wait, and they are then duplicates. The durable has no filter subject (it reads the whole service
   * stream and the core skips what it does not handle), so neither has the reader. A crash in here is
   * harmless: the ack floor has not moved, so the next instance catches up over the same range again.
   */
  private async catchUp({ fromSeq, toSeq }: Unsettled, holdUntil: number): Promise<void> {
    this.caughtUpTo = fromSeq - 1;
    while (this.running && this.caughtUpTo < toSeq) {
      try {
        if (!(await this.catchUpTo(toSeq))) {
          // An event to retry: its own redelivery (with its true delivery count) has to come first.
          this.holdUntil = holdUntil;
          return;
        }
      } catch (error) {
        // The database or the broker failed under us: go on from what is settled (the rest is idempotent).
        this.options.onError?.(error);
        if (this.running) await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Settles the messages after `caughtUpTo` up to `toSeq`; false when one of them is to be retried.
   * They are read one by one by stream sequence (`$JS.API.STREAM.MSG.GET`), not through another
   * consumer: the broker's permissions let a service create only its own named durables.
   */
  private async catchUpTo(toSeq: number): Promise<boolean> {
    while (this.running && this.caughtUpTo < toSeq) {
      const sequences = Array.from({ length: Math.min(CATCH_UP_BATCH, toSeq - this.caughtUpTo) }, (_, i) => this.caughtUpTo + 1 + i);
      const read = await Promise.all(sequences.map((seq) => this.readStored(seq)));
      // A message deleted from the stream leaves a gap: nothing to settle there.
      const run = read.filter((message): message is StreamMessage => message !== undefined);
      // Every catch-up read counts as a first delivery: a catch-up attempt is not counted against max deliver.
      const outcomes = await this.core.apply(run.map((m) => this.toDelivery(m, 1)));
      await this.options.afterCommit?.();
      for (let i = 0; i < run.length; i++) {
        const outcome = outcomes[i];
        if (outcome.kind === 'retry' || outcome.kind === 'blocked') return false;
        if (outcome.kind === 'park') {
          await this.publishDeadLetter(run[i], outcome);
          this.parkedWhileCatchingUp.add(run[i].seq);
        }
        this.caughtUpTo = run[i].seq;
      }
      this.caughtUpTo = sequences[sequences.length - 1];
    }
    return true;
  }

  private async readStored(seq: number): Promise<StreamMessage | undefined> {
    try {
      const stored = await this.jsm.streams.getMessage(this.stream, { seq });
      return stored ? { seq: stored.seq, subject: stored.subject, data: stored.data } : undefined;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404 || /no message found/i.test(String((error as Error).message))) return undefined;
      throw error;
    }
  }

  /** The messages that may be applied now, in order: none while the head is waiting for a retry. */
  private readyRun(): JsMsg[] {
    if (Date.now() < this.holdUntil) return [];
    if (this.awaitingSequence !== undefined && this.pending[0]?.seq !== this.awaitingSequence) {
      // Late redeliveries of what the catch-up settled sort in before the awaited one: they are duplicates.
      const settled = this.pending.findIndex((m) => m.seq > this.caughtUpTo);
      return this.pending.slice(0, Math.min(256, settled === -1 ? this.pending.length : settled));
    }
    return this.pending.slice(0, 256);
  }

  private async applyRun(given: JsMsg[]): Promise<void> {
    const run = given.filter((message) => {
      if (!this.parkedWhileCatchingUp.delete(message.seq)) return true;
      message.term('dead-lettered while catching up after a crash');
      this.pending.splice(this.pending.indexOf(message), 1);
      return false;
    });
    if (run.length === 0) return;
    const outcomes = await this.core.apply(run.map((m) => this.toDelivery(m)));
    await this.options.afterCommit?.();
    for (let i = 0; i < run.length; i++) {
      const message = run[i];
      const outcome = outcomes[i];
      if (outcome.kind === 'blocked') continue;
      if (outcome.kind === 'applied') message.ack();
      else if (outcome.kind === 'retry') {
        message.nak(outcome.delayMs);
        this.awaitingSequence = message.seq;
      } else await this.park(message, outcome);
      if (outcome.kind !== 'retry' && this.awaitingSequence === message.seq) this.awaitingSequence = undefined;
      this.pending.splice(this.pending.indexOf(message), 1);
    }
  }

  private toDelivery(message: StreamMessage, attempt = (message as JsMsg).info.deliveryCount): Delivery {
    return {
      subject: this.naming.publicSubject(message.subject),
      data: message.data,
      attempt,
      headers: (message as JsMsg).headers,
    };
  }

  /** Dead-letters first, then terminates: if the dead-letter publish fails the message is retried, not lost. */
  private async park(message: JsMsg, outcome: Extract<DeliveryOutcome, { kind: 'park' }>): Promise<void> {
    try {
      await this.publishDeadLetter(message, outcome);
      message.term(outcome.reason.slice(0, 200));
    } catch (error) {
      this.options.onError?.(error);
      message.nak(1_000);
      this.awaitingSequence = message.seq;
    }
  }

  /** The message id makes a second letter for one stream message (after a crash, say) a duplicate. */
  private async publishDeadLetter(message: StreamMessage, outcome: Extract<DeliveryOutcome, { kind: 'park' }>): Promise<void> {
    const hdrs = headers();
    hdrs.set('Nats-Msg-Id', `${this.name}:${message.seq}`);
    hdrs.set('Bp-Dead-Consumer', this.name);
    hdrs.set('Bp-Dead-Subject', this.naming.publicSubject(message.subject));
    hdrs.set('Bp-Dead-Reason', outcome.reason.slice(0, 1_000));
    hdrs.set('Bp-Dead-Attempts', String(outcome.attempts));
    hdrs.set('Bp-Dead-Stream-Sequence', String(message.seq));
    if (outcome.eventId) hdrs.set('Bp-Dead-Event-Id', outcome.eventId);
    await this.js.publish(this.naming.deadLetterSubject(this.name), message.data, { headers: hdrs });
  }
}

/** Messages read at once while catching up after a crash. */
const CATCH_UP_BATCH = 64;

/** What a message of the stream is made of, whether a consumer delivered it or it was read by sequence. */
type StreamMessage = Pick<JsMsg, 'seq' | 'subject' | 'data'>;

function maxInFlightOf(options: JetStreamConsumerOptions): number {
  return options.maxInFlight ?? 256;
}
