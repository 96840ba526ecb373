import type { ConsumerDefinition, EventBus, PublicEventMapper } from '@botplatform/bus';
import type { EventVersioning, PostgresEventStore } from '@botplatform/event-store';
import type { MigrationObject } from '@mikro-orm/core';
import type { MikroORM, Options } from '@mikro-orm/postgresql';
import type { DynamicModule, InjectionToken } from '@nestjs/common';
import type { RpcTransport } from './rpc-transport.js';
import type { ServiceMetrics } from './service-metrics.js';

/** What a service's module gets to work with. */
export interface ServiceDependencies {
  readonly orm: MikroORM;
  readonly store: PostgresEventStore;
  readonly bus: EventBus;
  readonly rpc: RpcTransport;
  /** The service's Prometheus metrics (served at /metrics); absent when a test builds dependencies by hand. */
  readonly metrics?: ServiceMetrics;
}

/**
 * Everything the platform needs to run a service, in either mode: its schema and migrations, its Nest
 * module (request handlers, HTTP), what it publishes and what it consumes.
 */
export interface ServiceDefinition {
  /** Lower-case name, also the first token of its event subjects and `rpc.<name>.*` patterns. */
  readonly name: string;
  /** The PostgreSQL schema the service owns. */
  readonly schema: string;
  /** All its migrations in order, libs' first (event store, bus). */
  readonly migrations: readonly MigrationObject[];
  readonly entities?: Options['entities'];
  readonly versioning?: EventVersioning;
  module(dependencies: ServiceDependencies): DynamicModule;
  /** Maps its stored events to public ones; omitted when it publishes nothing. */
  readonly toPublic?: PublicEventMapper;
  consumers?(dependencies: ServiceDependencies): readonly ConsumerDefinition[];
  /**
   * The Nest token of the service's `BotFeatureRouter` (@botplatform/bot-kit), when it has bot screens:
   * `startService` then declares them to the gateway and keeps them declared. The module must provide it
   * and answer `rpc.<name>.handle-bot-update` with it.
   */
  readonly botFeatures?: InjectionToken;
}
