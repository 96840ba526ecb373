// Decorator metadata must be readable before any decorated class (configs, DTOs, entities) is defined.
import 'reflect-metadata';
export { Clock, SystemClock } from './clock.js';
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
export { AdminApiController } from './admin-api/admin-api-controller.decorator.js';
export { AdminAuthGuard } from './admin-api/admin-auth.guard.js';
export { AdminHttpErrorFilter, AdminValidationError, createAdminValidationPipe, httpStatusOf } from './admin-api/admin-http-error.filter.js';
export { Principal, requesterOf, type AdminPrincipal, type AdminRequest } from './admin-api/admin-principal.js';
export { ApiTokensClient } from './admin-api/api-tokens.client.js';
export { AuthenticationUnavailableError, ForbiddenTenantError, UnauthenticatedError } from './admin-api/admin-api.errors.js';
