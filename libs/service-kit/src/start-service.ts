import {
  EventRelay,
  RPC_OBSERVATION,
  currentTraceParent,
  type EventBus,
  type RpcObservation,
  type RunningConsumer,
  type RunningProducer,
} from '@botplatform/bus';
import { FeatureDeclarer, type BotFeatureRouter, type FeatureDeclarerOptions } from '@botplatform/bot-kit';
import { PostgresEventStore, createServiceOrm } from '@botplatform/event-store';
import { Module, type DynamicModule, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { HealthController } from './health.controller.js';
import { HEALTH_CHECKS, type HealthCheck } from './health-check.js';
import type { ServiceDefinition, ServiceDependencies } from './service-definition.js';
import { PinoLoggerService } from './pino-logger.js';
import { createRpcClient, rpcServerOptions, type RpcTransport } from './rpc-transport.js';
import { MetricsController, ServiceMetrics } from './service-metrics.js';

/** Default relay lag (age of the oldest committed event not yet published) past which health warns. */
export const RELAY_LAG_WARNING_SECONDS = 5;

export interface ServiceInfrastructure {
  readonly databaseUrl: string;
  /** Relay lag past which the relay's health check reports a warning (default 5 s). */
  readonly relayLagWarningSeconds?: number;
  readonly bus: EventBus;
  readonly rpc: RpcTransport;
  /** HTTP port for health and admin endpoints; 0 picks a free one. */
  readonly httpPort: number;
  readonly httpHost?: string;
  /** Default: JSON lines on stdout (pino); `false` for none. */
  readonly logger?: LoggerService | false;
  /** How the bot features are declared to the gateway (retry pauses); the declarer's defaults when absent. */
  readonly featureDeclarer?: FeatureDeclarerOptions;
  /**
   * Only the service's request handlers (and health): no relay, no consumers, no bot features declared.
   * For a tool that runs a service's commands in its own process beside a stopped platform (`npm run
   * import:legacy` on the embedded platform's database, ADR 0021): the events stay in the store, and the
   * platform's next start publishes them. What the service's own Nest module starts is the service's
   * business (the gateway's hosting: `GatewayHostingConfig.hostBots`).
   */
  readonly rpcOnly?: boolean;
}

export interface RunningService {
  readonly name: string;
  readonly app: INestApplication;
  readonly dependencies: ServiceDependencies;
  /** Base URL of its HTTP server. */
  readonly url: string;
  /**
   * Keeps the gateway told of the service's bot features, for a definition with `botFeatures`. Its
   * `declared` settles once the gateway took them, or rejects on a final refusal (a clash).
   */
  readonly declarer?: FeatureDeclarer;
  close(): Promise<void>;
}

@Module({})
class ServiceHostModule {
  static for(definition: ServiceDefinition, dependencies: ServiceDependencies & { metrics: ServiceMetrics }, checks: HealthCheck[]): DynamicModule {
    const observation: RpcObservation = { service: definition.name, observer: dependencies.metrics };
    return {
      module: ServiceHostModule,
      global: true,
      imports: [definition.module(dependencies)],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: HEALTH_CHECKS, useValue: checks },
        { provide: ServiceMetrics, useValue: dependencies.metrics },
        { provide: RPC_OBSERVATION, useValue: observation },
        { provide: MikroORM, useValue: dependencies.orm },
        { provide: PostgresEventStore, useValue: dependencies.store },
      ],
      exports: [MikroORM, PostgresEventStore, ServiceMetrics, RPC_OBSERVATION],
    };
  }
}

/**
 * Starts one service the same way in both modes: migrations applied, its Nest app serving requests on
 * the RPC transport and health over HTTP, its store published through the bus, its consumers running.
 * If any step fails, what was started is stopped again.
 */
export async function startService(definition: ServiceDefinition, infrastructure: ServiceInfrastructure): Promise<RunningService> {
  const orm = await createServiceOrm({
    clientUrl: infrastructure.databaseUrl,
    schema: definition.schema,
    entities: definition.entities,
    migrations: definition.migrations,
  });
  const metrics = new ServiceMetrics(definition.name);
  const store = new PostgresEventStore(orm.em, {
    schema: definition.schema,
    versioning: definition.versioning,
    hooks: { traceParent: currentTraceParent, appended: (events) => metrics.appended(events) },
  });
  const dependencies = { orm, store, bus: infrastructure.bus, rpc: { ...infrastructure.rpc, observer: metrics }, metrics } satisfies ServiceDependencies;
  const running: (RunningProducer | RunningConsumer)[] = [];
  let app: INestApplication | undefined;
  let declarer: FeatureDeclarer | undefined;
  const declaresFeatures = definition.botFeatures !== undefined && !infrastructure.rpcOnly;
  const declarerRpc = declaresFeatures ? createRpcClient(dependencies.rpc) : undefined;
  const checks: HealthCheck[] = [
    { name: 'database', probe: async () => void (await orm.em.getConnection().execute('SELECT 1')) },
    { name: 'bus', probe: () => infrastructure.bus.health() },
    {
      name: 'relay',
      probe: async () => {
        const relay = running.find((r): r is EventRelay => r instanceof EventRelay);
        if (!relay) return definition.toPublic && !infrastructure.rpcOnly ? 'in-process' : 'none';
        if (relay.lastError) throw relay.lastError;
        // Lag is a warning, not a failure: an old transaction elsewhere on the server holds every relay
        // back (ADR 0002), and restarting this service would not end it.
        const warnAt = infrastructure.relayLagWarningSeconds ?? RELAY_LAG_WARNING_SECONDS;
        const lag = relay.lagSeconds >= warnAt ? `, WARNING lagging ${relay.lagSeconds.toFixed(1)} s (over ${warnAt} s)` : '';
        return `up, ${relay.published} published${lag}`;
      },
    },
  ];
  if (declaresFeatures) {
    checks.push({
      name: 'bot-features',
      // Pending is healthy: the gateway may start after the service, and the declarer keeps trying.
      // A refusal is not: the service's screens will never be routed until its declaration changes.
      probe: async () => {
        if (!declarer) return 'pending';
        if (declarer.state === 'refused') throw declarer.lastError;
        if (declarer.state === 'declared') return `declared (routing table v${declarer.lastReply?.version ?? 0})`;
        return declarer.lastError ? `${declarer.state}: ${declarer.lastError.message}` : declarer.state;
      },
    });
  }
  try {
    app = await NestFactory.create(ServiceHostModule.for(definition, dependencies, checks), {
      logger: infrastructure.logger ?? new PinoLoggerService({ service: definition.name }),
      abortOnError: false,
    });
    // No `enableShutdownHooks()`: on a signal each Nest app would close itself at once, racing the
    // consumers still running on its pool and the other services, then re-raise the signal (exit 130).
    // The process that owns the services stops them in order with `close()` (main.ts, run-service-process.ts).
    app.connectMicroservice(rpcServerOptions(infrastructure.rpc, definition.name), { inheritAppConfig: false });
    await app.startAllMicroservices();
    await app.listen(infrastructure.httpPort, infrastructure.httpHost ?? '127.0.0.1');
    if (definition.toPublic && !infrastructure.rpcOnly) {
      running.push(await infrastructure.bus.publishFrom({ service: definition.name, store, toPublic: definition.toPublic, observer: metrics }));
    }
    for (const consumer of infrastructure.rpcOnly ? [] : (definition.consumers?.(dependencies) ?? [])) {
      running.push(await infrastructure.bus.consume(consumer, orm, { observer: metrics }));
    }
    if (declaresFeatures && definition.botFeatures) {
      // Declared once the service answers its handle-bot-update: the gateway may route at once.
      declarer = new FeatureDeclarer(app.get<BotFeatureRouter>(definition.botFeatures), declarerRpc!, infrastructure.featureDeclarer);
      void declarer.start();
    }
  } catch (error) {
    declarer?.stop();
    await declarerRpc?.close();
    await Promise.allSettled(running.map((r) => r.stop()));
    await app?.close();
    await orm.close(true);
    throw error;
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const nestApp = app;
  return {
    name: definition.name,
    app: nestApp,
    dependencies,
    url,
    ...(declarer ? { declarer } : {}),
    close: async () => {
      declarer?.stop();
      await declarerRpc?.close();
      await Promise.allSettled(running.map((r) => r.stop()));
      await nestApp.close();
      await orm.close(true);
    },
  };
}
