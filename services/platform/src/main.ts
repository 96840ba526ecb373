import 'reflect-metadata';
import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { loadConfigOrExit } from '@botplatform/service-kit';
import { Logger } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { resolve } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { startPlatform } from './platform.js';

/** `npm start`: the whole platform in one process, nothing installed but Node. */
class EmbeddedPlatformConfig {
  /** Use this PostgreSQL instead of the embedded one. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL?: string = undefined;

  @IsString()
  BOTPLATFORM_DATA_DIR: string = '.data';

  @IsInt()
  @Min(1)
  @Max(65_535)
  EMBEDDED_POSTGRES_PORT: number = 54_329;

  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT: number = 3000;
}

const logger = new Logger('platform');
const config = loadConfigOrExit(EmbeddedPlatformConfig, process.env, logger);
let database: EmbeddedDatabase | undefined;
if (!config.DATABASE_URL) {
  const dataDir = resolve(config.BOTPLATFORM_DATA_DIR, 'postgres');
  logger.log(`starting embedded PostgreSQL in ${dataDir} on port ${config.EMBEDDED_POSTGRES_PORT}`);
  database = await startEmbeddedPostgres(dataDir, config.EMBEDDED_POSTGRES_PORT);
}
const bus = new EmbeddedEventBus({ onError: (error) => logger.warn(`bus: ${String(error)}`) });
const platform = await startPlatform({
  databaseUrl: config.DATABASE_URL ?? database!.url,
  bus,
  rpc: { kind: 'in-process', broker: new InProcessBroker() },
  firstHttpPort: config.HTTP_PORT,
});
for (const service of platform.services.values()) logger.log(`${service.name}: ${service.url}/health`);
logger.log('botplatform is running (embedded mode). Ctrl+C stops it.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  logger.log('stopping');
  await platform.close();
  await bus.close();
  await database?.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
