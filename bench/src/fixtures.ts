import { UserRegisteredSchema, isEventOf, type DecodedEvent } from '@botplatform/contracts';
import { ParkEventError, busMigrations, type ConsumerDefinition, type PublicEventMapper } from '@botplatform/bus';
import { createServiceOrm, eventStoreMigrations, runSql, type DomainEvent, type EventContext } from '@botplatform/event-store';
import { Migration } from '@mikro-orm/migrations';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';

/**
 * What the scenarios share: a producer service whose store feeds the bus, a consumer service that
 * writes one effect row per event, and the events themselves. Mirrors the bus test kit's idea (one
 * public event, a handler with a real effect) without depending on test-only code.
 */

export const BENCH_BOT_ID = '0b6a7f9e-3c1d-4f2a-9e8b-5d4c3b2a1f00';
export const PRODUCER_SERVICE = 'users';
export const REGISTERED_SUBJECT = 'users.user.registered.v1';

export interface BenchUserRegistered extends DomainEvent<'UserRegistered'> {
  readonly data: {
    readonly telegramUserId: number;
    readonly firstName: string;
    /** Wall-clock time (epoch ms, sub-ms precision) just before the append: the latency's start. */
    readonly appendedAtMs: number;
  };
}

/** Epoch milliseconds with sub-millisecond precision (the process's monotonic clock on the epoch). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function registered(telegramUserId: number, appendedAtMs = nowMs()): BenchUserRegistered {
  return { type: 'UserRegistered', data: { telegramUserId, firstName: `bench user ${telegramUserId}`, appendedAtMs } };
}

export function benchContext(): EventContext {
  return {
    botId: BENCH_BOT_ID,
    correlationId: randomUUID(),
    causationId: null,
    actor: { kind: 'system', id: 'bench' },
    occurredAt: new Date(),
  };
}

/**
 * The producer's public mapping. `registeredAt` carries the append time at microsecond precision
 * (`timestampFromDate` would round to the millisecond), so the consumer can measure latency from the
 * event alone, as a real consumer in another process would.
 */
export const benchProducerMapper: PublicEventMapper = (event) => {
  if (event.type !== 'UserRegistered') return null;
  const data = event.data as BenchUserRegistered['data'];
  return {
    schema: UserRegisteredSchema,
    message: {
      botId: event.metadata.botId,
      userId: event.metadata.streamId,
      telegramUserId: BigInt(data.telegramUserId),
      firstName: data.firstName,
      isPremium: false,
      registeredAt: timestampOfMs(data.appendedAtMs),
    },
  };
};

function timestampOfMs(ms: number): { seconds: bigint; nanos: number } {
  const seconds = Math.floor(ms / 1_000);
  const nanos = Math.min(999_999_999, Math.round((ms - seconds * 1_000) * 1e6));
  return { seconds: BigInt(seconds), nanos };
}

/** The append time the producer put into a consumed event, in epoch ms. */
export function appendedAtOf(event: DecodedEvent<typeof UserRegisteredSchema>): number {
  const at = event.message.registeredAt;
  if (!at) throw new ParkEventError('registeredAt missing: not a bench event');
  return Number(at.seconds) * 1_000 + at.nanos / 1e6;
}

class BenchEffectsMigration extends Migration {
  override up(): void {
    this.addSql(`CREATE TABLE bench_effects (
      id bigserial PRIMARY KEY, event_id uuid NOT NULL, stream_id text NOT NULL, telegram_user_id bigint NOT NULL)`);
  }
}

/** A producer service's ORM: its own schema with the event store. */
export function openProducerOrm(databaseUrl: string, schema: string, poolSize = 10): Promise<MikroORM> {
  return createServiceOrm({ clientUrl: databaseUrl, schema, migrations: eventStoreMigrations, poolSize });
}

/** A consumer service's ORM: its own schema with the bus inbox and the effects table. */
export function openConsumerOrm(databaseUrl: string, schema: string): Promise<MikroORM> {
  return createServiceOrm({
    clientUrl: databaseUrl,
    schema,
    migrations: [...busMigrations, { name: 'Migration20261124000000_bench_effects', class: BenchEffectsMigration }],
  });
}

/**
 * A consumer whose effect is one row per event, written in the transaction that records the inbox
 * row; `observe` sees each event as it is applied (inside that transaction) with the time its
 * effect's INSERT took.
 */
export function effectConsumer(
  name: string,
  schema: string,
  observe: (event: DecodedEvent<typeof UserRegisteredSchema>, effectMs: number) => void = () => {},
): ConsumerDefinition {
  return {
    name,
    source: PRODUCER_SERVICE,
    subjects: [REGISTERED_SUBJECT],
    handle: async (event, { em }) => {
      if (!isEventOf(event, UserRegisteredSchema)) throw new ParkEventError(`unexpected ${event.subject}`);
      const started = performance.now();
      await runSql(em, `INSERT INTO "${schema}".bench_effects (event_id, stream_id, telegram_user_id) VALUES ($1, $2, $3)`, [
        event.envelope.eventId,
        event.envelope.streamId,
        event.message.telegramUserId,
      ]);
      observe(event, performance.now() - started);
    },
  };
}

/**
 * The same effect written a run at a time: one multi-row INSERT for all the events the consumer
 * applies in one transaction, as a projection would do it.
 */
export function batchEffectConsumer(name: string, schema: string, observe: (applied: number, effectMs: number) => void = () => {}): ConsumerDefinition {
  return {
    name,
    source: PRODUCER_SERVICE,
    subjects: [REGISTERED_SUBJECT],
    handleBatch: async (events, { em }) => {
      const rows = events.map((event) => {
        if (!isEventOf(event, UserRegisteredSchema)) throw new ParkEventError(`unexpected ${event.subject}`);
        return event;
      });
      const started = performance.now();
      await runSql(
        em,
        `INSERT INTO "${schema}".bench_effects (event_id, stream_id, telegram_user_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[])`,
        [rows.map((e) => e.envelope.eventId), rows.map((e) => e.envelope.streamId), rows.map((e) => e.message.telegramUserId.toString())],
      );
      observe(rows.length, performance.now() - started);
    },
  };
}

export async function countEffects(em: EntityManager, schema: string): Promise<number> {
  const [row] = await runSql<{ n: number }>(em, `SELECT count(*)::integer AS n FROM "${schema}".bench_effects`);
  return row.n;
}
