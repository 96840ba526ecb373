import { getOption, hasOption, type DescFile, type DescMessage } from '@bufbuild/protobuf';
import { nestedTypes } from '@bufbuild/protobuf/reflect';
import { UnknownEventTypeError } from './contracts.errors.js';
import { formatEventSubject, parseEventSubject } from './event-subject.js';
import { file_botplatform_bot_v1_bot_features } from './gen/botplatform/bot/v1/bot_features_pb.js';
import { file_botplatform_bus_v1_envelope } from './gen/botplatform/bus/v1/envelope_pb.js';
import { event as eventOption, file_botplatform_bus_v1_event_options } from './gen/botplatform/bus/v1/event_options_pb.js';
import { file_botplatform_gateway_v1_delivery } from './gen/botplatform/gateway/v1/delivery_pb.js';
import { file_botplatform_gateway_v1_gateway_rpc } from './gen/botplatform/gateway/v1/gateway_rpc_pb.js';
import { file_botplatform_bus_v1_rpc_options } from './gen/botplatform/bus/v1/rpc_options_pb.js';
import { file_botplatform_notifications_v1_notifications_rpc } from './gen/botplatform/notifications/v1/notifications_rpc_pb.js';
import { file_botplatform_notifications_v1_rules } from './gen/botplatform/notifications/v1/rules_pb.js';
import { file_botplatform_notifications_v1_scheduled } from './gen/botplatform/notifications/v1/scheduled_pb.js';
import { file_botplatform_notifications_v1_outbound } from './gen/botplatform/notifications/v1/outbound_pb.js';
import { file_botplatform_users_v1_bots } from './gen/botplatform/users/v1/bots_pb.js';
import { file_botplatform_users_v1_bot_groups } from './gen/botplatform/users/v1/bot_groups_pb.js';
import { file_botplatform_users_v1_events } from './gen/botplatform/users/v1/events_pb.js';
import { file_botplatform_users_v1_members } from './gen/botplatform/users/v1/members_pb.js';
import { file_botplatform_users_v1_rpc } from './gen/botplatform/users/v1/rpc_pb.js';
import { file_botplatform_users_v1_users_rpc } from './gen/botplatform/users/v1/users_rpc_pb.js';
import { file_botplatform_subscriptions_v1_plans } from './gen/botplatform/subscriptions/v1/plans_pb.js';
import { file_botplatform_subscriptions_v1_subscriptions } from './gen/botplatform/subscriptions/v1/subscriptions_pb.js';
import { file_botplatform_subscriptions_v1_subscriptions_rpc } from './gen/botplatform/subscriptions/v1/subscriptions_rpc_pb.js';
import { file_botplatform_gamification_v1_gamification } from './gen/botplatform/gamification/v1/gamification_pb.js';
import { file_botplatform_gamification_v1_gamification_rpc } from './gen/botplatform/gamification/v1/gamification_rpc_pb.js';
import { file_botplatform_payments_v1_payments } from './gen/botplatform/payments/v1/payments_pb.js';
import { file_botplatform_payments_v1_cards } from './gen/botplatform/payments/v1/cards_pb.js';
import { file_botplatform_payments_v1_referrals } from './gen/botplatform/payments/v1/referrals_pb.js';

/**
 * Every generated contract file. Public events are found in them by their
 * `(botplatform.bus.v1.event)` option, so this is the only list to extend when a .proto file is
 * added; a test fails when a generated file is missing here. (RPCs are read from their services:
 * rpc-registry.ts.)
 */
export const contractFiles: readonly DescFile[] = [
  file_botplatform_bus_v1_envelope,
  file_botplatform_bus_v1_event_options,
  file_botplatform_bus_v1_rpc_options,
  file_botplatform_users_v1_events,
  file_botplatform_users_v1_rpc,
  file_botplatform_users_v1_bots,
  file_botplatform_users_v1_bot_groups,
  file_botplatform_users_v1_members,
  file_botplatform_users_v1_users_rpc,
  file_botplatform_notifications_v1_outbound,
  file_botplatform_notifications_v1_notifications_rpc,
  file_botplatform_notifications_v1_rules,
  file_botplatform_notifications_v1_scheduled,
  file_botplatform_gateway_v1_delivery,
  file_botplatform_gateway_v1_gateway_rpc,
  file_botplatform_bot_v1_bot_features,
  file_botplatform_subscriptions_v1_plans,
  file_botplatform_subscriptions_v1_subscriptions,
  file_botplatform_subscriptions_v1_subscriptions_rpc,
  file_botplatform_gamification_v1_gamification,
  file_botplatform_gamification_v1_gamification_rpc,
  file_botplatform_payments_v1_payments,
  file_botplatform_payments_v1_cards,
  file_botplatform_payments_v1_referrals,
  // `npm run new:service` adds the files of each new service here.
];

/** A public event: a message schema with the subject its contract declares. */
export interface PublicEvent<Desc extends DescMessage = DescMessage> {
  /** NATS subject, e.g. `users.user.registered.v1`. */
  readonly subject: string;
  /** `<service>.<aggregate>.<event>`, as carried in `EventEnvelope.type`. */
  readonly type: string;
  /** Schema version, as carried in `EventEnvelope.schema_version`. */
  readonly version: number;
  /** Producing service, the first segment of the subject. */
  readonly service: string;
  readonly schema: Desc;
}

/** Reads the event option of every message in `files`; throws on a malformed or duplicate subject. */
function collectPublicEvents(files: readonly DescFile[]): readonly PublicEvent[] {
  const bySubject = new Map<string, PublicEvent>();
  for (const file of files) {
    for (const type of nestedTypes(file)) {
      if (type.kind !== 'message' || !hasOption(type, eventOption)) continue;
      const option = getOption(type, eventOption);
      // A malformed option is a contract bug: fail when the lib loads, not when the first message flows.
      const subject = formatEventSubject(option.type, option.version);
      const clash = bySubject.get(subject);
      if (clash) {
        throw new Error(`${type.typeName} and ${clash.schema.typeName} both declare the event subject ${subject}`);
      }
      const { service } = parseEventSubject(subject);
      bySubject.set(subject, { subject, type: option.type, version: option.version, service, schema: type });
    }
  }
  return [...bySubject.values()];
}

/** All public events of this contracts build, in file order. */
export const publicEvents: readonly PublicEvent[] = collectPublicEvents(contractFiles);

/** The subjects of all public events, e.g. `['users.user.registered.v1']`. */
export const publicEventSubjects: readonly string[] = publicEvents.map((event) => event.subject);

const eventsBySubject = new Map(publicEvents.map((event) => [event.subject, event]));
const eventsByTypeName = new Map(publicEvents.map((event) => [event.schema.typeName, event]));

/** The public event for a subject, or `undefined` when it is not registered. */
export function findPublicEvent(subject: string): PublicEvent | undefined {
  return eventsBySubject.get(subject);
}

/**
 * The registration of a public event message schema.
 * @throws UnknownEventTypeError when the message is not a registered public event.
 */
export function publicEventOf<Desc extends DescMessage>(schema: Desc): PublicEvent<Desc> {
  const registered = eventsByTypeName.get(schema.typeName);
  if (!registered) {
    throw new UnknownEventTypeError(
      `${schema.typeName} is not a public event: it has no (botplatform.bus.v1.event) option or its file is missing from contractFiles`,
    );
  }
  // Keyed by the fully-qualified type name, so the schema found is the one passed in.
  return { ...registered, schema };
}

/**
 * The subject a public event message declares: `subjectOf(UserRegisteredSchema)` →
 * `users.user.registered.v1`.
 * @throws UnknownEventTypeError when the message is not a registered public event.
 */
export function subjectOf(schema: DescMessage): string {
  return publicEventOf(schema).subject;
}

/**
 * The message schema of a public event subject: `schemaForSubject('users.user.registered.v1')` →
 * `UserRegisteredSchema`.
 * @throws UnknownEventTypeError when no public event has that subject.
 */
export function schemaForSubject(subject: string): DescMessage {
  const registered = eventsBySubject.get(subject);
  if (!registered) {
    throw new UnknownEventTypeError(`no public event has the subject "${subject}" (known: ${publicEventSubjects.join(', ')})`);
  }
  return registered.schema;
}
