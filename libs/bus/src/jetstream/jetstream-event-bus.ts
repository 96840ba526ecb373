import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { assertConsumerName, BusNaming } from '../bus-naming.js';
import { ConsumerCore } from '../consumer-core.js';
import {
  BusUnavailableError,
  type ConsumeOptions,
  type ConsumerDefinition,
  type EventBus,
  type ProducerDefinition,
  type RunningConsumer,
  type RunningProducer,
} from '../event-bus.js';
import { EventRelay, type EventRelayOptions } from './event-relay.js';
import { JetStreamConsumer, type JetStreamConsumerOptions } from './jetstream-consumer.js';
import { JetStreamStreams } from './jetstream-streams.js';
import { connectToNats } from './nats-connection.js';
import type { NatsCredentials } from './nats-permissions.js';

export interface JetStreamEventBusOptions {
  /** Prefix of every stream and subject; empty in production, unique per test run. */
  readonly namespace?: string;
  /** JetStream's duplicate window: how long a republished event id is recognised (default 2 min). */
  readonly duplicateWindowMs?: number;
  readonly relay?: EventRelayOptions;
  readonly consumer?: JetStreamConsumerOptions;
  /** The service's own broker user; omitted for a broker without users. */
  readonly credentials?: NatsCredentials;
}

/** The bus between processes: a relay per producing service, durable pull consumers, a dead-letter stream. */
export class JetStreamEventBus implements EventBus {
  readonly naming: BusNaming;
  private readonly streams: JetStreamStreams;
  private readonly running = new Set<RunningConsumer | RunningProducer>();
  /** Set while the connection is lost and the client is trying to get it back. */
  private disconnected = false;

  private constructor(
    readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly ownsConnection: boolean,
    private readonly options: JetStreamEventBusOptions,
  ) {
    this.naming = new BusNaming(options.namespace);
    this.streams = new JetStreamStreams(jsm, this.naming, options.duplicateWindowMs ?? 120_000);
    void this.followConnectionStatus().catch(() => undefined);
  }

  /** Connects to NATS (reconnecting forever) and returns a bus that closes the connection on `close()`. */
  static async connect(servers: string, name: string, options: JetStreamEventBusOptions = {}): Promise<JetStreamEventBus> {
    const connection = await connectToNats(servers, name, options.credentials);
    return JetStreamEventBus.over(connection, options, true);
  }

  static async over(connection: NatsConnection, options: JetStreamEventBusOptions = {}, ownsConnection = false): Promise<JetStreamEventBus> {
    return new JetStreamEventBus(connection, jetstream(connection), await jetstreamManager(connection), ownsConnection, options);
  }

  async publishFrom(producer: ProducerDefinition): Promise<EventRelay> {
    await this.streams.ensureServiceStream(producer.service);
    const relay = new EventRelay(this.js, this.naming, producer, this.options.relay);
    return this.track(relay);
  }

  async consume(definition: ConsumerDefinition, orm: MikroORM, options: ConsumeOptions = {}): Promise<RunningConsumer> {
    assertConsumerName(definition.name);
    await this.streams.ensureServiceStream(definition.source);
    await this.streams.ensureDeadLetterStream();
    const core = new ConsumerCore(definition, orm, this.options.consumer?.onError, options.observer);
    return this.track(await JetStreamConsumer.start(this.js, this.jsm, this.naming, core, this.options.consumer));
  }

  /**
   * Down while the connection is closed or reconnecting (the relay and the consumers then wait), up
   * with the round trip to the server otherwise.
   */
  async health(): Promise<string> {
    if (this.connection.isClosed()) throw new BusUnavailableError('the NATS connection is closed');
    if (this.disconnected) throw new BusUnavailableError(`disconnected from NATS (${this.connection.getServer()}), reconnecting`);
    return `up, rtt ${Math.round(await this.connection.rtt())} ms`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((r) => r.stop()));
    this.running.clear();
    if (this.ownsConnection) await this.connection.drain().catch(() => this.connection.close());
  }

  private async followConnectionStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting' || status.type === 'staleConnection') this.disconnected = true;
      else if (status.type === 'reconnect') this.disconnected = false;
    }
  }

  private track<T extends RunningConsumer | RunningProducer>(running: T): T {
    this.running.add(running);
    const stop = running.stop.bind(running);
    running.stop = async () => {
      this.running.delete(running);
      await stop();
    };
    return running;
  }
}
