import { busMigrations, type ConsumerDefinition, type PublicEventMapper, type RpcClient } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import { createRpcClient, type ServiceDefinition, type ServiceDependencies } from '@botplatform/service-kit';
import type { MigrationObject } from '@mikro-orm/core';
import type { Api } from 'grammy';
import type { HostedBotInfo } from '../bot/bot-context.js';
import { Logger, type LoggerService } from '@nestjs/common';
import { GatewayModule } from '../gateway.module.js';
import { GatewayRoutingTable } from '../routing/gateway-routing-table.js';
import { IncomingUpdateJournal } from '../intake/incoming-update.journal.js';
import { incomingUpdateJournalMigrations } from '../intake/migrations/20261201000000-answering-updates.migration.js';
import { gatewaySessionsMigration } from '../migrations/20261124000500-gateway-sessions.migration.js';
import { GatewaySessionRecord } from '../sessions/gateway-session.entity.js';
import { MikroOrmSessionStorage } from '../sessions/mikro-orm-session.storage.js';
import { UsersClient } from '../users/users.client.js';
import { BotHost, type BotBehaviour, type GatewayMode, type WebhookSettings } from './bot-host.js';
import type { Disposable } from './bot-host.lifecycle.js';
import { onBotRegistryChanged } from './on-bot-registry-changed.consumer.js';

/** The gateway's settings, already validated (see `GatewayConfig` for the environment form). */
export interface GatewayHostingConfig {
  /** Bot API server: https://api.telegram.org, or the sandbox's `apiRoot` in tests. */
  readonly telegramApiRoot: string;
  readonly mode: GatewayMode;
  /** Required in webhook mode. */
  readonly webhook?: WebhookSettings;
  /** Full reconciliation with the registry (default 60 s; 0 turns the timer off). */
  readonly reconcileIntervalMs?: number;
  /** Bound on a webhook answer while its update is still being handled (default 10 s). */
  readonly webhookAnswerTimeoutMs?: number;
  /** Long-polling timeout of getUpdates in seconds (default 30). */
  readonly pollingTimeoutSeconds?: number;
  /** Pauses before retrying an update whose dependency is away (default 0.5 s up to 10 s). */
  readonly retryDelaysMs?: readonly number[];
  /** How often the routing table is read again for declarations another replica took (default 10 s, 0 for never). */
  readonly routingRefreshIntervalMs?: number;
  /**
   * False: the bots are not hosted (no polling, no webhooks), only `rpc.gateway.*` is answered. For a tool
   * running the gateway's commands beside a stopped platform (`npm run import:legacy`, ADR 0021), where a
   * second poller of the bots would take the platform's updates. Default true.
   */
  readonly hostBots?: boolean;
  readonly logger?: LoggerService;
}

/** What the bots get to work with when their behaviour is built. */
export interface GatewayBehaviourDependencies {
  readonly users: UsersClient;
  readonly logger: Logger;
  /** The service's RPC client (routed updates go to services through it). */
  readonly rpc: RpcClient;
  /** The routing table from the services' declarations (loaded before any bot starts). */
  readonly routing: GatewayRoutingTable;
  /** The bots being served now with their Api (their command menus are set again when the table changes). */
  readonly hostedBots: () => readonly { readonly info: HostedBotInfo; readonly api: Api }[];
}

/** What runs inside the gateway beside the hosting itself. */
export interface GatewayParts {
  /** The hosted bots' pipeline, error boundary and commands. */
  behaviour(dependencies: GatewayBehaviourDependencies): BotBehaviour;
  readonly migrations?: readonly MigrationObject[];
  readonly entities?: NonNullable<ServiceDefinition['entities']>;
  /** Consumers beside the bot registry's, e.g. outbound sending through the host's bots. */
  consumers?(
    dependencies: ServiceDependencies & { readonly host: BotHost; readonly users: UsersClient; readonly routing: GatewayRoutingTable },
  ): readonly ConsumerDefinition[];
  readonly toPublic?: PublicEventMapper;
  /** Closed when the gateway stops, before its RPC client (e.g. the outbound delivery worker). */
  readonly disposables?: readonly Disposable[];
}

/** The gateway's ServiceDefinition, plus the host it runs once started. */
export interface GatewayServiceDefinition extends ServiceDefinition {
  /** The BotHost of the last `module()` call (i.e. of the running service), undefined before. */
  readonly host: BotHost | undefined;
  /** The routing table of the running service, undefined before. */
  readonly routing: GatewayRoutingTable | undefined;
}

interface GatewayRuntime {
  readonly dependencies: ServiceDependencies;
  readonly host: BotHost;
  readonly users: UsersClient;
  readonly rpc: RpcClient;
  readonly routing: GatewayRoutingTable;
}

/**
 * Builds the gateway's ServiceDefinition from its parts. `startService` calls `module()` and then
 * `consumers()` with the same dependencies; both must see one BotHost, so it is built on the first of
 * the two calls and kept for that set of dependencies.
 */
export function composeGatewayService(config: GatewayHostingConfig, parts: GatewayParts): GatewayServiceDefinition {
  let runtime: GatewayRuntime | undefined;
  const runtimeFor = (dependencies: ServiceDependencies): GatewayRuntime => {
    if (runtime?.dependencies === dependencies) return runtime;
    const rpc = createRpcClient(dependencies.rpc);
    const users = new UsersClient(rpc);
    const logger = new Logger('gateway');
    const routing = new GatewayRoutingTable(dependencies.store, { refreshIntervalMs: config.routingRefreshIntervalMs });
    const hostedBots = () =>
      host.hosted().flatMap((info) => {
        const api = host.apiFor(info.botId);
        return api ? [{ info, api }] : [];
      });
    const host: BotHost = new BotHost({
      credentials: users,
      sessions: (botId) => new MikroOrmSessionStorage(dependencies.orm, botId),
      journal: new IncomingUpdateJournal(dependencies.orm),
      behaviour: parts.behaviour({ users, logger, rpc, routing, hostedBots }),
      apiRoot: config.telegramApiRoot,
      mode: config.mode,
      webhook: config.webhook,
      reconcileIntervalMs: config.reconcileIntervalMs,
      webhookAnswerTimeoutMs: config.webhookAnswerTimeoutMs,
      pollingTimeoutSeconds: config.pollingTimeoutSeconds,
      retryDelaysMs: config.retryDelaysMs,
      logger: config.logger,
      onApiCall: dependencies.metrics && ((method, status, seconds) => dependencies.metrics!.telegramCall(method, status, seconds)),
    });
    runtime = { dependencies, host, users, rpc, routing };
    return runtime;
  };

  return {
    name: 'gateway',
    schema: 'gateway',
    migrations: [...eventStoreMigrations, ...busMigrations, gatewaySessionsMigration, ...(parts.migrations ?? []), ...incomingUpdateJournalMigrations],
    entities: [GatewaySessionRecord, ...(parts.entities ?? [])],
    module: (dependencies) => {
      const { host, rpc, routing } = runtimeFor(dependencies);
      return GatewayModule.forHost(host, [...(parts.disposables ?? []), rpc], routing, { hostBots: config.hostBots ?? true });
    },
    consumers: (dependencies) => {
      const { host, users, routing } = runtimeFor(dependencies);
      return [onBotRegistryChanged(host), ...(parts.consumers?.({ ...dependencies, host, users, routing }) ?? [])];
    },
    ...(parts.toPublic ? { toPublic: parts.toPublic } : {}),
    get host() {
      return runtime?.host;
    },
    get routing() {
      return runtime?.routing;
    },
  };
}
