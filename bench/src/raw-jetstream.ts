import { AckPolicy, DeliverPolicy, StorageType, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** The bus's duplicate window, so the raw stream does the same dedupe bookkeeping on `Nats-Msg-Id`. */
const DUPLICATE_WINDOW_MS = 120_000;
/** The same pull batch our consumer asks for. */
const PULL_BATCH = 256;

/** A running raw consumer. */
export interface RawConsumption {
  readonly lastArrival: Promise<number>;
  close(): Promise<void>;
}

/**
 * The raw JetStream baseline: one connection, one file-backed stream (like the bus's), one durable
 * pull consumer with explicit acks at the server's defaults otherwise.
 */
export class RawJetStream {
  private constructor(
    private readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly stream: string,
    readonly subject: string,
    private readonly durable: string,
  ) {}

  /** `name` is lower-case; the stream is `<NAMESPACE>_<NAME>` so the bench's cleanup finds it. */
  static async create(natsUrl: string, namespace: string, name: string): Promise<RawJetStream> {
    // As tuned as the platform's own connection (nats-connection.ts): the raw line stays a ceiling.
    const connection = await connect({ servers: natsUrl, name: `bench-raw-${name}`, noAsyncTraces: true });
    try {
      const jsm = await jetstreamManager(connection);
      const stream = `${namespace.toUpperCase()}_RAW_${name.toUpperCase()}`;
      const subject = `${namespace}.raw_${name}.message`;
      await jsm.streams.add({
        name: stream,
        subjects: [subject],
        storage: StorageType.File,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
      const durable = `bench--raw-${name.replaceAll('_', '-')}`;
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
      return new RawJetStream(connection, jetstream(connection), stream, subject, durable);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  publish(data: Uint8Array, msgID: string): Promise<unknown> {
    return this.js.publish(this.subject, data, { msgID });
  }

  /**
   * Starts consuming (acking each message after `onMessage`); `lastArrival` resolves with the
   * `performance.now()` at which the `count`-th message arrived.
   */
  async consume(count: number, onMessage: (message: JsMsg) => void = () => {}): Promise<RawConsumption> {
    const consumer = await this.js.consumers.get(this.stream, this.durable);
    const messages = await consumer.consume({ max_messages: PULL_BATCH });
    let consumed = 0;
    const lastArrival = (async () => {
      for await (const message of messages) {
        onMessage(message);
        message.ack();
        if (++consumed === count) return performance.now();
      }
      throw new Error(`raw consumer on ${this.stream} stopped after ${consumed} of ${count} messages`);
    })();
    // Handled by whoever awaits it; this keeps an early close from surfacing as an unhandled rejection.
    lastArrival.catch(() => {});
    return {
      lastArrival,
      close: async () => {
        await messages.close();
      },
    };
  }

  /**
   * Like `consume`, but awaits `handle` before acking each message, one message after the other (the
   * naive durable consumer); `lastArrival` resolves when the `count`-th message was handled.
   */
  async consumeEach(count: number, handle: (message: JsMsg) => Promise<void>): Promise<RawConsumption> {
    const consumer = await this.js.consumers.get(this.stream, this.durable);
    const messages = await consumer.consume({ max_messages: PULL_BATCH });
    let consumed = 0;
    const lastArrival = (async () => {
      for await (const message of messages) {
        await handle(message);
        message.ack();
        if (++consumed === count) return performance.now();
      }
      throw new Error(`naive consumer on ${this.stream} stopped after ${consumed} of ${count} messages`);
    })();
    lastArrival.catch(() => {});
    return {
      lastArrival,
      close: async () => {
        await messages.close();
      },
    };
  }

  async close(): Promise<void> {
    await this.connection.drain().catch(() => this.connection.close());
  }
}
