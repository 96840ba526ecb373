import { JetStreamEventBus, isInfrastructureFailure, type NatsCredentials } from '@botplatform/bus';
import { Logger } from '@nestjs/common';
import { IsInt, IsNotEmpty, IsString, IsUrl, Matches, Max, Min, ValidateIf } from 'class-validator';
import { InvalidConfigError, loadConfig } from './config.js';
import type { ServiceDefinition } from './service-definition.js';
import { PinoLoggerService } from './pino-logger.js';
import { startService } from './start-service.js';
import { startTracingFromEnv } from './tracing.js';

/** Loads the configuration, or stops the process with one line naming every bad variable. */
export function loadConfigOrExit<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv, logger: Logger): T {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    logger.error(error.message);
    process.exit(78); // EX_CONFIG
  }
}

/** The environment of a service running as its own process (distributed mode). */
export class ServiceProcessConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL: string = 'postgresql://postgres@127.0.0.1:5432/postgres';

  @IsUrl({ protocols: ['nats'], require_tld: false }, { message: 'NATS_URL must be a nats:// URL' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /** The service's own broker user, whose permissions the broker's configuration sets; with NATS_PASSWORD. */
  @ValidateIf((config: ServiceProcessConfig) => config.NATS_PASSWORD !== '')
  @IsNotEmpty({ message: 'NATS_USER is required with NATS_PASSWORD' })
  NATS_USER: string = '';

  /**
   * nats-server reads each password from its environment as a configuration value, so one starting with
   * a digit would become a number there: the same rule here says so at start rather than as a refusal.
   */
  @ValidateIf((config: ServiceProcessConfig) => config.NATS_USER !== '')
  @Matches(/^[A-Za-z][A-Za-z0-9_-]{15,}$/, {
    message: "NATS_PASSWORD is required with NATS_USER: 16+ letters, digits, '-' or '_', starting with a letter",
  })
  NATS_PASSWORD: string = '';

  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT: number = 3000;

  @IsString()
  HTTP_HOST: string = '0.0.0.0';
}

/**
 * Entry point of a service process: validated environment, JetStream bus and NATS request/reply, JSON
 * logs, tracing when OTEL_* variables ask for it, graceful stop on SIGTERM/SIGINT. A bad variable stops the process at once, naming it.
 */
export async function runServiceProcess(definition: ServiceDefinition, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // JSON lines from the first one on, before the Nest app exists.
  const processLogger = new PinoLoggerService({ service: definition.name });
  Logger.overrideLogger(processLogger);
  const logger = new Logger(definition.name);
  const tracing = startTracingFromEnv(definition.name, env);
  const config = loadConfigOrExit(ServiceProcessConfig, env, logger);
  const credentials: NatsCredentials | undefined = config.NATS_USER ? { user: config.NATS_USER, pass: config.NATS_PASSWORD } : undefined;
  const bus = await untilReachable('the broker at NATS_URL', logger, () =>
    JetStreamEventBus.connect(config.NATS_URL, definition.name, {
      relay: { onError: (error) => logger.warn(`relay: ${String(error)}`) },
      consumer: { onError: (error) => logger.warn(`consumer: ${String(error)}`) },
      credentials,
    }),
  ).catch((error: unknown) => {
    if (!(error instanceof Error && error.name === 'AuthorizationError')) throw error;
    const who = credentials ? `NATS_USER "${credentials.user}" with this NATS_PASSWORD` : 'a connection without NATS_USER and NATS_PASSWORD';
    logger.error(`invalid configuration: the broker at NATS_URL refused ${who} (${error.message})`);
    process.exit(78); // EX_CONFIG
  });
  const service = await untilReachable('PostgreSQL at DATABASE_URL and the broker', logger, () =>
    startService(definition, {
      databaseUrl: config.DATABASE_URL,
      bus,
      rpc: { kind: 'nats', servers: config.NATS_URL, credentials },
      httpPort: config.HTTP_PORT,
      httpHost: config.HTTP_HOST,
      logger: processLogger,
    }),
  );
  logger.log(`${definition.name} is up: health at ${service.url}/health`);
  let stopping = false;
  const stop = async () => {
    // A second signal during the stop is ignored: with no listener left it would kill the process mid-drain.
    if (stopping) return;
    stopping = true;
    await service.close();
    await bus.close();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // A refused declaration (another service owns one of its commands or namespaces) never heals by
  // waiting: the process stops, saying which name clashes with whom, rather than run unreachable screens.
  service.declarer?.declared.catch(async (error: unknown) => {
    if (stopping) return;
    stopping = true;
    logger.error(`${definition.name} stops: ${error instanceof Error ? error.message : String(error)}`);
    await service.close();
    await bus.close();
    await tracing?.shutdown();
    process.exit(1);
  });
}

/**
 * Runs `start` until the servers it needs answer: a service started while the broker or the database
 * is away (a restart during an outage) waits for them instead of crash-looping. Anything else, a
 * refused login or a bad migration, still stops the process.
 */
async function untilReachable<T>(what: string, logger: Logger, start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      if (attempt === 1 || attempt % 30 === 0) logger.warn(`waiting for ${what} (${error instanceof Error ? error.message : String(error)})`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

function isUnreachable(error: unknown): boolean {
  // nats.js: ConnectionError when the broker refuses the socket, TimeoutError when it stops answering.
  const name = error instanceof Error ? error.name : undefined;
  return name === 'ConnectionError' || name === 'TimeoutError' || isInfrastructureFailure(error);
}
