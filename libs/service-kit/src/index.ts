// Decorator metadata must be readable before any decorated class (configs, DTOs, entities) is defined.
import 'reflect-metadata';
export { loadConfig, InvalidConfigError } from './config.js';
export type { ServiceDefinition, ServiceDependencies } from './service-definition.js';
export { createRpcClient, rpcServerOptions, type RpcTransport } from './rpc-transport.js';
export { HEALTH_CHECKS, HealthProbeTimeoutError, type HealthCheck } from './health-check.js';
export { startService, type RunningService, type ServiceInfrastructure } from './start-service.js';
export { loadConfigOrExit, runServiceProcess, ServiceProcessConfig } from './run-service-process.js';
export { PinoLoggerService, type ServiceLoggerOptions } from './pino-logger.js';
export { MetricsController, ServiceMetrics } from './service-metrics.js';
export { registerTracing, startTracingFromEnv, type Tracing } from './tracing.js';
export { SecretSealer, SecretSealerError, type SealedSecret } from './secret-sealer.js';
