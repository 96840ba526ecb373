export { BusNaming, assertConsumerName } from './bus-naming.js';
export {
  BusUnavailableError,
  ParkEventError,
  type ConsumeOptions,
  type ConsumerContext,
  type BatchConsumerDefinition,
  type ConsumerDefinition,
  type EventConsumerDefinition,
  type DeadLetter,
  type DeadLetterReplay,
  type EventBus,
  type ProducerDefinition,
  type PublicEventDraft,
  type PublicEventMapper,
  type RunningConsumer,
  type RunningProducer,
} from './event-bus.js';
export { encodePublicEvent, type EncodedPublicEvent } from './public-event.js';
export { JetStreamEventBus, type JetStreamEventBusOptions } from './jetstream/jetstream-event-bus.js';
export { EventRelay, type EventRelayOptions } from './jetstream/event-relay.js';
export { connectToNats, natsAuthOptions } from './jetstream/nats-connection.js';
export {
  inboxPrefixOf,
  natsPasswordVariableOf,
  natsPermissionsOf,
  renderNatsAuthorization,
  type NatsConsumerAccess,
  type NatsCredentials,
  type NatsPermissions,
  type NatsUserAccess,
} from './jetstream/nats-permissions.js';
export { EmbeddedEventBus, type EmbeddedEventBusOptions } from './embedded/embedded-event-bus.js';
export { BusMigration20261123000100, busMigrations } from './migrations/20261123000100-bus.migration.js';
export { RpcCallError, isRpcErrorBody, typedErrorBodyOf, typedErrorCodeOf, type RpcErrorBody } from './rpc/rpc-error.js';
export { createRpcValidationPipe } from './rpc/rpc-validation.pipe.js';
export { MAX_INPUT_DEPTH, ScreenedValidationPipe } from './rpc/screened-validation.pipe.js';
export { RpcErrorFilter } from './rpc/rpc-exception.filter.js';
export { InProcessBroker, InProcessClient, InProcessServer } from './rpc/in-process.transport.js';
export { RpcClient } from './rpc/rpc-client.js';
export { RpcController, RpcHandler } from './rpc/rpc-controller.decorator.js';
export { isInfrastructureFailure } from './infrastructure-failure.js';
export { RpcObservabilityInterceptor, RPC_OBSERVATION, type RpcObservation } from './rpc/rpc-observability.interceptor.js';
export { CORRELATION_ID_HEADER, type RpcClientOptions } from './rpc/rpc-client.js';
export { InProcessContext } from './rpc/in-process.transport.js';
export type { BusObserver, RpcResultCode } from './observability/bus-observer.js';
export { correlationIdOrNew, currentLogContext, withLogContext, type LogContext } from './observability/log-context.js';
export { contextFromHeaders, currentTraceParent, inSpan, traceHeaders, tracer, type HeaderSource } from './observability/trace-context.js';
