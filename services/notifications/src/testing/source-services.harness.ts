import { busMigrations, type EmbeddedEventBus, type RunningProducer } from '@botplatform/bus';
import { PostgresEventStore, createServiceOrm, eventStoreMigrations, type EventContext } from '@botplatform/event-store';
import { fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';

/**
 * Stand-ins for the producers the notifications service follows (users, subscriptions, gamification,
 * gateway): each a real event store of its own schema published on the test's bus, whose stored events
 * are the public messages themselves (type = the schema's type name, data = its JSON form).
 */
export class SourceServices {
  private readonly stores = new Map<string, PostgresEventStore>();
  private readonly orms: MikroORM[] = [];
  private readonly producers: RunningProducer[] = [];
  private readonly schemas = new Map<string, DescMessage>();

  private constructor(
    private readonly databaseUrl: string,
    private readonly bus: EmbeddedEventBus,
  ) {}

  static async start(databaseUrl: string, bus: EmbeddedEventBus, services: readonly string[]): Promise<SourceServices> {
    const sources = new SourceServices(databaseUrl, bus);
    for (const service of services) await sources.add(service);
    return sources;
  }

  private async add(service: string): Promise<void> {
    const schema = `source_${service}`;
    const orm = await createServiceOrm({ clientUrl: this.databaseUrl, schema, migrations: [...eventStoreMigrations, ...busMigrations] });
    const store = new PostgresEventStore(orm.em, { schema });
    this.orms.push(orm);
    this.stores.set(service, store);
    this.producers.push(
      await this.bus.publishFrom({
        service,
        store,
        toPublic: (event) => {
          const messageSchema = this.schemas.get(event.type);
          return messageSchema ? { schema: messageSchema, message: fromJson(messageSchema, event.data as JsonValue) } : null;
        },
      }),
    );
  }

  /** Publishes `message` (its proto JSON form) as `service`'s event; resolves with the stored event's id. */
  async publish(service: string, schema: DescMessage, botId: string, message: JsonValue): Promise<string> {
    this.schemas.set(schema.typeName, schema);
    const store = this.stores.get(service);
    if (!store) throw new Error(`no stand-in for ${service}`);
    const context: EventContext = { botId, correlationId: randomUUID(), causationId: null, actor: { kind: 'system', id: 'test' }, occurredAt: new Date() };
    const appended = await store.append(
      `${service}-${randomUUID()}`,
      'no_stream',
      [{ type: schema.typeName, data: message as Record<string, JsonValue> }],
      context,
    );
    return appended.events[0].metadata.eventId;
  }

  async close(): Promise<void> {
    for (const producer of this.producers) await producer.stop();
    for (const orm of this.orms) await orm.close(true);
  }
}
