import { getOption, hasOption, type DescMessage, type DescMethod, type MessageJsonType } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { InvalidRpcSubjectError } from './contracts.errors.js';
import { BotActionsSchema, BotUpdateSchema } from './gen/botplatform/bot/v1/bot_features_pb.js';
import { GatewayRpc } from './gen/botplatform/gateway/v1/gateway_rpc_pb.js';
import { rpc as rpcOption } from './gen/botplatform/bus/v1/rpc_options_pb.js';
import { NotificationsRpc } from './gen/botplatform/notifications/v1/notifications_rpc_pb.js';
import { UsersRpc } from './gen/botplatform/users/v1/users_rpc_pb.js';
import { SubscriptionsRpc } from './gen/botplatform/subscriptions/v1/subscriptions_rpc_pb.js';
import { GamificationRpc } from './gen/botplatform/gamification/v1/gamification_rpc_pb.js';
import { PaymentsRpc } from './gen/botplatform/payments/v1/payments_pb.js';

/** A request/reply subject: `rpc.<service>.<verb>`. */
export type RpcSubject = `rpc.${string}.${string}`;

/**
 * One request/reply of a service as its contract declares it (an rpc method with the
 * `(botplatform.bus.v1.rpc)` option): what to call it on the wire and what goes each way.
 */
export interface RpcMethod<Request extends DescMessage = DescMessage, Reply extends DescMessage = DescMessage> {
  /** NATS subject, e.g. `rpc.users.register-user`. */
  readonly subject: RpcSubject;
  /** The answering service, the subject's second token, e.g. `users`. */
  readonly service: string;
  /** The subject's last token, e.g. `register-user`. */
  readonly verb: string;
  readonly request: Request;
  readonly reply: Reply;
  /**
   * The proto method itself, e.g. `botplatform.users.v1.UsersRpc.RegisterUser`; absent only for the
   * bot-feature RPC of a service this build's contracts do not know (`botFeatureRpcOf`).
   */
  readonly descriptor?: DescMethod;
}

/** The request of an RPC in its JSON form, as it crosses the wire: `RegisterUserRequestJson`. */
export type RpcRequestJson<Method extends RpcMethod> = MessageJsonType<Method['request']>;
/** The reply of an RPC in its JSON form: `RegisterUserReplyJson`. */
export type RpcReplyJson<Method extends RpcMethod> = MessageJsonType<Method['reply']>;

/** The methods of one generated service, by their generated (camelCase) names. */
export type RpcMethodsOf<Methods extends GenServiceMethods> = {
  readonly [Name in keyof Methods]: RpcMethod<Methods[Name]['input'], Methods[Name]['output']>;
};

// One lower-case token for the service, kebab-case for the verb: every subject is a plain NATS token
// sequence (no wildcards) and reads like the method it names (RegisterUser → register-user).
const RPC_SUBJECT_PATTERN = /^rpc\.([a-z][a-z0-9]*)\.([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$/;

/** True when `subject` has the form `rpc.<service>.<verb>` (lower case, the verb in kebab case). */
export function isWellFormedRpcSubject(subject: string): subject is RpcSubject {
  return RPC_SUBJECT_PATTERN.test(subject);
}

/**
 * Reads the subject option of every method of a generated service. A missing or malformed option, or
 * one naming another service than the proto package's, is a contract bug: it fails when the lib loads.
 */
function rpcMethodsOf<Methods extends GenServiceMethods>(service: GenService<Methods>): RpcMethodsOf<Methods> {
  const packageService = service.file.proto.package.split('.')[1];
  const methods: Record<string, RpcMethod> = {};
  for (const descriptor of service.methods) {
    if (!hasOption(descriptor, rpcOption)) {
      throw new InvalidRpcSubjectError(`${service.typeName}.${descriptor.name} has no (botplatform.bus.v1.rpc) option`);
    }
    const { subject } = getOption(descriptor, rpcOption);
    const match = RPC_SUBJECT_PATTERN.exec(subject);
    if (!match) {
      throw new InvalidRpcSubjectError(`${service.typeName}.${descriptor.name}: "${subject}" is not of the form rpc.<service>.<verb>`);
    }
    const [, subjectService, verb] = match as unknown as [string, string, string];
    if (subjectService !== packageService) {
      throw new InvalidRpcSubjectError(`${service.typeName}.${descriptor.name}: "${subject}" is not answered by ${packageService}, its package's service`);
    }
    methods[descriptor.localName] = {
      subject: subject as RpcSubject,
      service: subjectService,
      verb,
      request: descriptor.input,
      reply: descriptor.output,
      descriptor,
    };
  }
  return methods as RpcMethodsOf<Methods>;
}

/**
 * Every request/reply of the platform, by service and generated method name:
 * `rpc.call(RPC.users.registerUser, request)`, `@RpcHandler(RPC.users.registerUser)`. The subject
 * strings live only in proto/; code names them through this object.
 */
export const RPC = {
  users: rpcMethodsOf(UsersRpc),
  notifications: rpcMethodsOf(NotificationsRpc),
  gateway: rpcMethodsOf(GatewayRpc),
  subscriptions: rpcMethodsOf(SubscriptionsRpc),
  gamification: rpcMethodsOf(GamificationRpc),
  payments: rpcMethodsOf(PaymentsRpc),
  // `npm run new:service` adds the RPC service of each new service here.
} as const;

/** The generated services RPC is built from, so a spec can check none is left out. */
export const rpcServices = [
  UsersRpc,
  NotificationsRpc,
  GatewayRpc,
  SubscriptionsRpc,
  GamificationRpc,
  PaymentsRpc,
  // `npm run new:service` adds the RPC service of each new service to this list too.
] as const;

/** All declared RPCs, in declaration order. */
export const rpcMethods: readonly RpcMethod[] = collectUnique(Object.values(RPC).flatMap((service) => Object.values(service) as RpcMethod[]));

function collectUnique(methods: readonly RpcMethod[]): readonly RpcMethod[] {
  const bySubject = new Map<string, RpcMethod>();
  for (const method of methods) {
    const clash = bySubject.get(method.subject);
    if (clash)
      throw new InvalidRpcSubjectError(
        `${method.descriptor?.parent.typeName}.${method.descriptor?.name} and ${clash.descriptor?.parent.typeName}.${clash.descriptor?.name} both declare ${method.subject}`,
      );
    bySubject.set(method.subject, method);
  }
  return methods;
}

const methodsBySubject = new Map(rpcMethods.map((method) => [method.subject as string, method]));

/** The declared RPC of a subject, or `undefined` when none has it. */
export function findRpcMethod(subject: string): RpcMethod | undefined {
  return methodsBySubject.get(subject);
}

/**
 * The NATS wildcard of every subject a service answers, `rpc.<service>.>`: what its broker user may
 * subscribe to, and what its transport serves.
 */
export function rpcSubjectsOf(service: string): string {
  return `rpc.${service}.>`;
}

/** The declared RPCs one service answers, e.g. `rpcMethodsOfService('users')`. */
export function rpcMethodsOfService(service: string): readonly RpcMethod[] {
  return rpcMethods.filter((method) => method.service === service);
}

/** The verb every service with bot features answers: `rpc.<service>.handle-bot-update`. */
const BOT_FEATURE_VERB = 'handle-bot-update';

/** The request/reply the gateway routes a bot update over: a `BotUpdate` in, `BotActions` out. */
export type BotFeatureRpc = RpcMethod<typeof BotUpdateSchema, typeof BotActionsSchema>;

/**
 * The RPC that serves `service`'s bot features, `rpc.<service>.handle-bot-update`: the method its
 * contract declares (`HandleBotUpdate(botplatform.bot.v1.BotUpdate) returns (botplatform.bot.v1.BotActions)`),
 * or, for a service whose contract this build does not know (plugged in later), the same subject and
 * messages. The gateway calls it for the service a declaration names.
 */
export function botFeatureRpcOf(service: string): BotFeatureRpc {
  const subject = `rpc.${service}.${BOT_FEATURE_VERB}`;
  if (!isWellFormedRpcSubject(subject)) throw new InvalidRpcSubjectError(`"${service}" cannot answer bot updates: ${subject} is not a well-formed subject`);
  const declared = findRpcMethod(subject);
  if (declared) {
    if (declared.request.typeName !== BotUpdateSchema.typeName || declared.reply.typeName !== BotActionsSchema.typeName) {
      throw new InvalidRpcSubjectError(`${subject} must take a ${BotUpdateSchema.typeName} and answer ${BotActionsSchema.typeName}`);
    }
    return declared as BotFeatureRpc;
  }
  return { subject, service, verb: BOT_FEATURE_VERB, request: BotUpdateSchema, reply: BotActionsSchema };
}
