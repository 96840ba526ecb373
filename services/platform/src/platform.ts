import type { EventBus } from '@botplatform/bus';
import { gatewayService, type GatewayRuntimeConfig, type GatewayServiceDefinition } from '@botplatform/gateway';
import { notificationsService } from '@botplatform/notifications';
import { startService, type RpcTransport, type RunningService, type ServiceDefinition } from '@botplatform/service-kit';
import { createUsersService, type UsersServiceOptions } from '@botplatform/users';
import type { LoggerService } from '@nestjs/common';
import { allFeaturesDeclared } from './feature-declarations.js';
import { subscriptionsService } from '@botplatform/subscriptions';
import { gamificationService } from '@botplatform/gamification';
import { paymentsService } from '@botplatform/payments';

/** One for all services, or each service's own (distributed: each connects as its own broker user). */
export type PerService<T> = T | ((service: string) => T);

export interface PlatformOptions {
  readonly databaseUrl: string;
  readonly bus: PerService<EventBus>;
  readonly rpc: PerService<RpcTransport>;
  /** First HTTP port; each service takes the next one. 0 gives every service a free port. */
  readonly firstHttpPort: number;
  readonly logger?: LoggerService | false;
  /** Secrets of the users service (bot token keys, operator token); the environment's when absent. */
  readonly users?: UsersServiceOptions;
  /** How the gateway reaches Telegram (or the sandbox) and receives updates. */
  readonly telegram: GatewayRuntimeConfig;
  /** How long the gateway may take to accept every service's bot features once all are up (30 s when absent). */
  readonly declarationTimeoutMs?: number;
}

export interface RunningPlatform {
  readonly services: ReadonlyMap<string, RunningService>;
  /** The gateway's definition, whose `host` reaches the hosted bots. */
  readonly gateway: GatewayServiceDefinition;
  close(): Promise<void>;
}

/**
 * Every service of the platform, in start order: producers before their consumers, and the gateway
 * last, once the services it calls answer.
 */
export function platformServices(options: Pick<PlatformOptions, 'users' | 'telegram'>): {
  readonly all: readonly ServiceDefinition[];
  readonly gateway: GatewayServiceDefinition;
} {
  const gateway = gatewayService(options.telegram);
  return {
    all: [
      // Tokens are checked with getMe on the same Bot API the gateway serves the bots from.
      createUsersService({ ...options.users, telegramApiRoot: options.telegram.telegramApiRoot }),
      notificationsService,
      subscriptionsService,
      gamificationService,
      paymentsService,
      // `npm run new:service` adds new services here: after the services they call, before the gateway.
      gateway,
    ],
    gateway,
  };
}

/**
 * The composition root: the one place that knows every service. It starts them all in this process,
 * each in its own schema with its own Nest app, on the bus and request/reply transport given.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const { all, gateway } = platformServices(options);
  const services = new Map<string, RunningService>();
  const close = async () => {
    for (const service of [...services.values()].reverse()) await service.close();
  };
  try {
    for (const [index, definition] of all.entries()) {
      services.set(
        definition.name,
        await startService(definition, {
          databaseUrl: options.databaseUrl,
          bus: typeof options.bus === 'function' ? options.bus(definition.name) : options.bus,
          rpc: typeof options.rpc === 'function' ? options.rpc(definition.name) : options.rpc,
          httpPort: options.firstHttpPort === 0 ? 0 : options.firstHttpPort + index,
          logger: options.logger,
        }),
      );
    }
    await allFeaturesDeclared([...services.values()], options.declarationTimeoutMs ?? 30_000);
  } catch (error) {
    await close();
    throw error;
  }
  return { services, gateway, close };
}
