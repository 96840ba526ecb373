import { AckPolicy, DeliverPolicy, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
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
  /** Crash-test seam: runs after the effects commit and before the acks. */
  readonly afterCommit?: () => Promise<void> | void;
  readonly onError?: (error: unknown) => void;
}

/**
 * A durable pull consumer that keeps order within the stream even through retries: messages are
 * applied in stream-sequence order, and when one is nak'ed for a later retry, the messages behind it
 * are held (kept alive with `working()`, not nak'ed, so their delivery counts stay honest) until it
 * comes back. An event that keeps failing goes to the dead-letter stream and the rest keeps flowing.
 */
export class JetStreamConsumer implements RunningConsumer {
  readonly name: string;
  private readonly pending: JsMsg[] = [];
  private awaitingSequence: number | undefined;
  /**
   * After a crash, messages the dead instance held come back only when their ack wait runs out, while
   * newer ones arrive at once. Until then nothing is applied, so the redeliveries sort in first.
   */
  private holdUntil = 0;
  private running = true;
  private signal: (() => void) | undefined;
  private messages: { close(): Promise<void | Error> } | undefined;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly pump: Promise<void>;
  private readonly worker: Promise<void>;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly naming: BusNaming,
    private readonly core: ConsumerCore,
    private readonly consumer: Consumer,
    private readonly options: JetStreamConsumerOptions,
    unackedAtStart: number,
  ) {
    this.name = core.definition.name;
    const ackWaitMs = options.ackWaitMs ?? 30_000;
    if (unackedAtStart > 0) this.holdUntil = Date.now() + ackWaitMs + 250;
    this.keepAlive = setInterval(() => this.pending.forEach((m) => m.working()), Math.max(100, ackWaitMs / 3));
    this.pump = this.receive();
    this.worker = this.work();
  }

  static async start(
    js: JetStreamClient,
    jsm: JetStreamManager,
    naming: BusNaming,
    core: ConsumerCore,
    options: JetStreamConsumerOptions = {},
  ): Promise<JetStreamConsumer> {
    const stream = naming.streamOf(core.definition.source);
    const maxInFlight = options.maxInFlight ?? 256;
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
    let unacked = 0;
    try {
      unacked = (await jsm.consumers.info(stream, config.durable_name)).num_ack_pending;
      await jsm.consumers.update(stream, config.durable_name, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
      });
    } catch {
      await jsm.consumers.add(stream, config);
    }
    const consumer = await js.consumers.get(stream, config.durable_name);
    return new JetStreamConsumer(js, jsm, naming, core, consumer, options, unacked);
  }

  deadLetters(): Promise<DeadLetter[]> {
    return readDeadLetters(this.js, this.naming, this.name);
  }

  async replayDeadLetters(): Promise<DeadLetterReplay> {
    return this.core.replayDeadLetters(await this.deadLetters(), (letter) =>
      this.jsm.streams.deleteMessage(this.naming.deadLetterStream, Number(letter.id)),
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.keepAlive);
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
    else if (this.pending[at].seq === message.seq) this.pending[at] = message; // a redelivery replaces the stale copy
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

  /** The messages that may be applied now, in order: none while the head is waiting for a retry. */
  private readyRun(): JsMsg[] {
    if (Date.now() < this.holdUntil) return [];
    if (this.awaitingSequence !== undefined && this.pending[0]?.seq !== this.awaitingSequence) return [];
    return this.pending.slice(0, 256);
  }

  private async applyRun(run: JsMsg[]): Promise<void> {
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

  private toDelivery(message: JsMsg): Delivery {
    return {
      subject: this.naming.publicSubject(message.subject),
      data: message.data,
      attempt: message.info.deliveryCount,
    };
  }

  /** Dead-letters first, then terminates: if the dead-letter publish fails the message is retried, not lost. */
  private async park(message: JsMsg, outcome: Extract<DeliveryOutcome, { kind: 'park' }>): Promise<void> {
    const hdrs = headers();
    hdrs.set('Nats-Msg-Id', `${this.name}:${message.seq}`);
    hdrs.set('Bp-Dead-Consumer', this.name);
    hdrs.set('Bp-Dead-Subject', this.naming.publicSubject(message.subject));
    hdrs.set('Bp-Dead-Reason', outcome.reason.slice(0, 1_000));
    hdrs.set('Bp-Dead-Attempts', String(outcome.attempts));
    hdrs.set('Bp-Dead-Stream-Sequence', String(message.seq));
    if (outcome.eventId) hdrs.set('Bp-Dead-Event-Id', outcome.eventId);
    try {
      await this.js.publish(this.naming.deadLetterSubject(this.name), message.data, { headers: hdrs });
      message.term(outcome.reason.slice(0, 200));
    } catch (error) {
      this.options.onError?.(error);
      message.nak(1_000);
      this.awaitingSequence = message.seq;
    }
  }
}
