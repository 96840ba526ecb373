import { UserRegisteredSchema, isEventOf, timestampFromDate } from '@botplatform/contracts';
import { PostgresEventStore, createServiceOrm, eventStoreMigrations, runSql, type EventContext } from '@botplatform/event-store';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { Migration } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { busMigrations } from '../migrations/20261123000100-bus.migration.js';
import { ParkEventError, type EventConsumerDefinition, type ProducerDefinition, type PublicEventMapper } from '../event-bus.js';

export const BOT_ID = '6f1c2c3e-8a43-4b7e-9a59-2f6f3c1d0a11';

/** The stored (internal) events of the test producer. */
export type TestProducerEvent =
  | { type: 'UserRegistered'; data: { telegramUserId: number; firstName: string } }
  | { type: 'UserNoteAdded'; data: { note: string } };

/** A producer mapper like a real service's: one public event, one internal one. */
export const testProducerMapper: PublicEventMapper = (event) => {
  if (event.type !== 'UserRegistered') return null;
  const data = event.data as { telegramUserId: number; firstName: string };
  return {
    schema: UserRegisteredSchema,
    message: {
      botId: event.metadata.botId,
      userId: event.metadata.streamId,
      telegramUserId: BigInt(data.telegramUserId),
      firstName: data.firstName,
      isPremium: false,
      registeredAt: timestampFromDate(event.metadata.occurredAt),
    },
  };
};

class EffectsMigration extends Migration {
  override up(): void {
    // No unique key on purpose: a second effect of one event shows up as a second row.
    this.addSql(`CREATE TABLE test_effects (
      id bigserial PRIMARY KEY, event_id uuid NOT NULL, stream_id text NOT NULL,
      stream_position bigint NOT NULL, telegram_user_id bigint NOT NULL)`);
  }
}

export interface EffectRow {
  event_id: string;
  stream_id: string;
  stream_position: string;
  telegram_user_id: string;
}

/**
 * A producer service (its own schema, event store) and a consumer service (its own schema, bus
 * tables, an effects table) in a database of the test's own.
 */
export class BusTestKit {
  private constructor(
    readonly database: TestDatabase,
    readonly producerOrm: MikroORM,
    readonly consumerOrm: MikroORM,
    readonly store: PostgresEventStore,
  ) {}

  static async create(): Promise<BusTestKit> {
    const database = await createTestDatabase('bp_bus');
    const producerOrm = await createServiceOrm({ clientUrl: database.url, schema: 'producer', migrations: eventStoreMigrations });
    const consumerOrm = await createServiceOrm({
      clientUrl: database.url,
      schema: 'consumer',
      migrations: [...busMigrations, { name: 'Migration20261123000200_test_effects', class: EffectsMigration }],
    });
    return new BusTestKit(database, producerOrm, consumerOrm, new PostgresEventStore(producerOrm.em, { schema: 'producer' }));
  }

  producer(service = 'users'): ProducerDefinition {
    return { service, store: this.store, toPublic: testProducerMapper };
  }

  /** A consumer that records an effect row per event, with optional failure behaviour. */
  consumer(name: string, overrides: Partial<EventConsumerDefinition> = {}): EventConsumerDefinition {
    return {
      name,
      source: 'users',
      subjects: ['users.user.registered.v1'],
      maxDeliver: 3,
      backoffMs: [50],
      handle: async (event, { em }) => {
        if (!isEventOf(event, UserRegisteredSchema)) throw new ParkEventError(`unexpected ${event.subject}`);
        await runSql(em, `INSERT INTO consumer.test_effects (event_id, stream_id, stream_position, telegram_user_id) VALUES ($1, $2, $3, $4)`, [
          event.envelope.eventId,
          event.envelope.streamId,
          event.envelope.streamPosition,
          event.message.telegramUserId,
        ]);
      },
      ...overrides,
    };
  }

  register(streamId: string, telegramUserId: number, expectedVersion: number | 'any' = 'any') {
    return this.store.append(streamId, expectedVersion, [{ type: 'UserRegistered', data: { telegramUserId, firstName: `user ${telegramUserId}` } }], context());
  }

  addNote(streamId: string, note: string) {
    return this.store.append(streamId, 'any', [{ type: 'UserNoteAdded', data: { note } }], context());
  }

  effects(): Promise<EffectRow[]> {
    return runSql<EffectRow>(
      this.consumerOrm.em,
      'SELECT event_id, stream_id, stream_position::text, telegram_user_id::text FROM consumer.test_effects ORDER BY id',
    );
  }

  async close(): Promise<void> {
    await this.producerOrm.close(true);
    await this.consumerOrm.close(true);
    await this.database.drop();
  }
}

function context(): EventContext {
  return {
    botId: BOT_ID,
    correlationId: randomUUID(),
    causationId: null,
    actor: { kind: 'system', id: 'test' },
    occurredAt: new Date(),
  };
}
