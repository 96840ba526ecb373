/**
 * @botplatform/contracts: the protobuf contracts shared by services (generated from proto/) and
 * the helpers to put public events on the bus and read them back.
 */

// Generated messages, schemas and JSON types. Regenerate with `npm run proto`; never edit gen/.
export * from './gen/botplatform/bus/v1/envelope_pb.js';
export * from './gen/botplatform/bus/v1/event_options_pb.js';
export * from './gen/botplatform/users/v1/events_pb.js';
export * from './gen/botplatform/users/v1/rpc_pb.js';
export * from './gen/botplatform/users/v1/bots_pb.js';
export * from './gen/botplatform/users/v1/bot_groups_pb.js';
export * from './gen/botplatform/users/v1/members_pb.js';
export * from './gen/botplatform/notifications/v1/outbound_pb.js';
export * from './gen/botplatform/gateway/v1/delivery_pb.js';
export * from './gen/botplatform/users/v1/users_rpc_pb.js';
export * from './gen/botplatform/notifications/v1/notifications_rpc_pb.js';
export * from './gen/botplatform/notifications/v1/rules_pb.js';
export * from './gen/botplatform/notifications/v1/scheduled_pb.js';
export * from './gen/botplatform/gateway/v1/gateway_rpc_pb.js';
export * from './gen/botplatform/bot/v1/bot_features_pb.js';
export * from './gen/botplatform/subscriptions/v1/plans_pb.js';
export * from './gen/botplatform/subscriptions/v1/subscriptions_pb.js';
export * from './gen/botplatform/subscriptions/v1/subscriptions_rpc_pb.js';
export * from './gen/botplatform/gamification/v1/gamification_pb.js';
export * from './gen/botplatform/gamification/v1/gamification_rpc_pb.js';
export * from './gen/botplatform/payments/v1/payments_pb.js';
export * from './gen/botplatform/payments/v1/cards_pb.js';
export * from './gen/botplatform/payments/v1/referrals_pb.js';
// Not `export *`: its extension is named `rpc`, which every RpcClient variable is called too.
export {
  file_botplatform_bus_v1_rpc_options,
  RpcOptionSchema,
  rpc as rpcOption,
  type RpcOption,
  type RpcOptionJson,
} from './gen/botplatform/bus/v1/rpc_options_pb.js';

export {
  ContractsError,
  Int64OutOfRangeError,
  InvalidEventEnvelopeError,
  InvalidEventSubjectError,
  InvalidRpcSubjectError,
  UndecodableEventError,
  UnknownEventTypeError,
} from './contracts.errors.js';
export {
  contractFiles,
  findPublicEvent,
  publicEventOf,
  publicEvents,
  publicEventSubjects,
  schemaForSubject,
  subjectOf,
  type PublicEvent,
} from './event-registry.js';
export {
  formatEventSubject,
  isWellFormedEventType,
  parseEventSubject,
  serviceOfSubject,
  type EventSubjectParts,
} from './event-subject.js';
export {
  decodeEventMessage,
  encodeEventMessage,
  isEventOf,
  type DecodedEvent,
  type EncodeEventMessageInput,
  type EventActor,
  type EventMetadata,
  type EventMetadataInit,
} from './event-message.codec.js';
export {
  botFeatureRpcOf,
  findRpcMethod,
  isWellFormedRpcSubject,
  RPC,
  rpcMethods,
  rpcMethodsOfService,
  rpcSubjectsOf,
  rpcServices,
  type BotFeatureRpc,
  type RpcMethod,
  type RpcMethodsOf,
  type RpcReplyJson,
  type RpcRequestJson,
  type RpcSubject,
} from './rpc-registry.js';
export {
  encodeRpcErrorDetails,
  rpcErrorDetailsOf,
  rpcErrorDetailsSchemas,
  type RpcErrorCodeWithDetails,
  type RpcErrorDetails,
  type RpcErrorDetailsJson,
} from './rpc-error-details.js';
export { int64ToNumber, numberToInt64 } from './int64.js';
// protobuf-es already ships exact Date <-> google.protobuf.Timestamp conversions; re-exported so a
// service that only fills generated messages does not need to know where they live.
export { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
