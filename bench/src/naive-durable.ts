import type { JsMsg } from '@nats-io/jetstream';
import pg from 'pg';
import { RawJetStream } from './raw-jetstream.js';

/** The naive producer's and consumer's pools: the size our service ORMs use. */
const POOL_SIZE = 10;

/**
 * The naive durable event path, as a competent engineer would write it by hand with the same
 * guarantees for the happy path and none of the platform: the producer INSERTs its row (autocommit),
 * then publishes to JetStream with `Nats-Msg-Id` and awaits the ack; the consumer, a durable pull
 * consumer, INSERTs its effect row (autocommit) and then acks, one message after the other. No outbox
 * (a crash between the INSERT and the publish loses the event), no inbox (a redelivery after a crash
 * between the INSERT and the ack applies it twice), no commit order.
 */
export class NaiveEventPath {
  private constructor(
    private readonly producerPool: pg.Pool,
    private readonly consumerPool: pg.Pool,
    private readonly jetstream: RawJetStream,
    private readonly schema: string,
  ) {}

  /** `name` is lower-case: the stream is `<NAMESPACE>_RAW_<NAME>` (the bench's clean-up finds it), the tables live in schema `naive_<name>`. */
  static async create(databaseUrl: string, natsUrl: string, namespace: string, name: string): Promise<NaiveEventPath> {
    const schema = `naive_${name}`;
    const producerPool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
    const consumerPool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
    try {
      await producerPool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await producerPool.query(`CREATE TABLE "${schema}".events (
        id uuid PRIMARY KEY, stream_id text NOT NULL, type text NOT NULL, data jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now())`);
      await producerPool.query(`CREATE TABLE "${schema}".effects (
        id bigserial PRIMARY KEY, event_id uuid NOT NULL, stream_id text NOT NULL, telegram_user_id bigint NOT NULL)`);
      const jetstream = await RawJetStream.create(natsUrl, namespace, `naive_${name}`);
      return new NaiveEventPath(producerPool, consumerPool, jetstream, schema);
    } catch (error) {
      await producerPool.end();
      await consumerPool.end();
      throw error;
    }
  }

  /** INSERT the row, then publish it and await JetStream's ack. */
  async produce(id: string, streamId: string, data: Record<string, unknown>, payload: Uint8Array): Promise<void> {
    await this.producerPool.query({
      name: 'naive_produce',
      text: `INSERT INTO "${this.schema}".events (id, stream_id, type, data) VALUES ($1, $2, 'UserRegistered', $3)`,
      values: [id, streamId, data],
    });
    await this.jetstream.publish(payload, id);
  }

  /**
   * Consumes `count` messages one after the other: `effectOf` says what the message is, its effect row
   * is INSERTed, `onApplied` sees it applied, then it is acked. `lastApplied` resolves with the
   * `performance.now()` at which the `count`-th effect was committed.
   */
  async consume(
    count: number,
    effectOf: (message: JsMsg) => { eventId: string; streamId: string; telegramUserId: number },
    onApplied: (message: JsMsg) => void = () => {},
  ) {
    return this.jetstream.consumeEach(count, async (message) => {
      const effect = effectOf(message);
      await this.consumerPool.query({
        name: 'naive_effect',
        text: `INSERT INTO "${this.schema}".effects (event_id, stream_id, telegram_user_id) VALUES ($1, $2, $3)`,
        values: [effect.eventId, effect.streamId, effect.telegramUserId],
      });
      onApplied(message);
    });
  }

  async effects(): Promise<number> {
    const { rows } = await this.consumerPool.query<{ n: number }>(`SELECT count(*)::integer AS n FROM "${this.schema}".effects`);
    return rows[0].n;
  }

  async close(): Promise<void> {
    await this.jetstream.close();
    await this.producerPool.end();
    await this.consumerPool.end();
  }
}
