import type { EventBus } from '@botplatform/bus';
import { startService, type RpcTransport, type RunningService, type ServiceDefinition } from '@botplatform/service-kit';
import { notificationsService } from '@botplatform/notifications';
import { usersService } from '@botplatform/users';
import type { LoggerService } from '@nestjs/common';

/** Every service of the platform, in start order (producers before their consumers). */
export const platformServices: readonly ServiceDefinition[] = [usersService, notificationsService];

export interface PlatformOptions {
  readonly databaseUrl: string;
  readonly bus: EventBus;
  readonly rpc: RpcTransport;
  /** First HTTP port; each service takes the next one. 0 gives every service a free port. */
  readonly firstHttpPort: number;
  readonly logger?: LoggerService | false;
}

export interface RunningPlatform {
  readonly services: ReadonlyMap<string, RunningService>;
  close(): Promise<void>;
}

/**
 * The composition root: the one place that knows every service. It starts them all in this process,
 * each in its own schema with its own Nest app, on the bus and request/reply transport given.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const services = new Map<string, RunningService>();
  const close = async () => {
    for (const service of [...services.values()].reverse()) await service.close();
  };
  try {
    for (const [index, definition] of platformServices.entries()) {
      services.set(
        definition.name,
        await startService(definition, {
          databaseUrl: options.databaseUrl,
          bus: options.bus,
          rpc: options.rpc,
          httpPort: options.firstHttpPort === 0 ? 0 : options.firstHttpPort + index,
          logger: options.logger,
        }),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { services, close };
}
