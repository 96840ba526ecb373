import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { InvalidEventEnvelopeError, UndecodableEventError, UnknownEventTypeError } from './contracts.errors.js';
import { findPublicEvent, publicEventOf, publicEventSubjects, type PublicEvent } from './event-registry.js';
import { ActorKind, EventEnvelopeSchema, type EventEnvelope } from './gen/botplatform/bus/v1/envelope_pb.js';

/** Who caused an event (the `Actor` of the envelope). */
export interface EventActor {
  readonly kind: ActorKind;
  /** User id, admin id or service name; empty for `ActorKind.SYSTEM`. */
  readonly id: string;
}

/** The envelope of a decoded event: everything but the payload, with plain JS types. */
export interface EventMetadata {
  /** UUID; also the `Nats-Msg-Id` and the consumer inbox key. */
  readonly eventId: string;
  /** `<service>.<aggregate>.<event>`, e.g. `users.user.registered`. */
  readonly type: string;
  readonly schemaVersion: number;
  /** Tenant (UUID). */
  readonly botId: string;
  /** `<aggregate>-<id>` in the producer's store, e.g. `user-42`. */
  readonly streamId: string;
  /** Position in that stream (uint64 on the wire). */
  readonly streamPosition: bigint;
  readonly correlationId: string;
  /** Id of the command or event that caused this one; `undefined` when there is none. */
  readonly causationId?: string | undefined;
  readonly actor: EventActor;
  readonly occurredAt: Date;
}

/**
 * The envelope fields a producer supplies. `type` and `schemaVersion` are not among them: they
 * come from the event schema's own option, so they cannot disagree with the payload.
 */
export interface EventMetadataInit extends Omit<EventMetadata, 'type' | 'schemaVersion' | 'streamPosition'> {
  readonly streamPosition: bigint | number;
}

/** Input of {@link encodeEventMessage}. */
export interface EncodeEventMessageInput<Desc extends DescMessage> {
  readonly envelope: EventMetadataInit;
  /** A public event schema, e.g. `UserRegisteredSchema`. */
  readonly schema: Desc;
  /** The event: a message made with `create(schema, …)` or a plain init object. */
  readonly message: MessageInitShape<Desc>;
}

/** Output of {@link decodeEventMessage}; narrow it to one event with {@link isEventOf}. */
export interface DecodedEvent<Desc extends DescMessage = DescMessage> {
  readonly envelope: EventMetadata;
  /** e.g. `users.user.registered.v1` */
  readonly subject: string;
  readonly schema: Desc;
  readonly message: MessageShape<Desc>;
}

/**
 * Encodes an event for the bus: an `EventEnvelope` whose `type`/`schema_version` come from the
 * schema's `(botplatform.bus.v1.event)` option and whose `payload` is the encoded message.
 * @throws UnknownEventTypeError when `schema` is not a registered public event.
 * @throws InvalidEventEnvelopeError when a required envelope field is empty, the stream position
 *   is negative, `occurredAt` is an invalid date, or the message's `bot_id` differs from the envelope's.
 */
export function encodeEventMessage<Desc extends DescMessage>(input: EncodeEventMessageInput<Desc>): Uint8Array {
  const { envelope: fields, schema } = input;
  const registered = publicEventOf(schema);
  const message = create(schema, input.message);
  if (Number.isNaN(fields.occurredAt.getTime())) {
    throw new InvalidEventEnvelopeError(`event ${fields.eventId}: occurredAt is an invalid date`);
  }
  if (fields.streamPosition < 0) {
    throw new InvalidEventEnvelopeError(`event ${fields.eventId}: streamPosition ${fields.streamPosition} is negative`);
  }
  const envelope = create(EventEnvelopeSchema, {
    eventId: fields.eventId,
    type: registered.type,
    schemaVersion: registered.version,
    botId: fields.botId,
    streamId: fields.streamId,
    streamPosition: BigInt(fields.streamPosition),
    correlationId: fields.correlationId,
    causationId: fields.causationId ?? '',
    actor: { kind: fields.actor.kind, id: fields.actor.id },
    occurredAt: timestampFromDate(fields.occurredAt),
  });
  const problem = envelopeProblem(envelope) ?? tenantProblem(envelope, registered, message);
  if (problem) throw new InvalidEventEnvelopeError(`event ${fields.eventId || '(no id)'}: ${problem}`);
  envelope.payload = toBinary(schema, message);
  return toBinary(EventEnvelopeSchema, envelope);
}

/**
 * Decodes bytes from the bus into the envelope, the event's subject and schema, and the message.
 *
 * Protobuf parsing is lenient (any bytes that happen to be well-formed parse, unknown fields are
 * kept), so "decodes" here means more than "parses": the envelope must have every required field
 * (event_id, type, schema_version, bot_id, stream_id, correlation_id, actor, occurred_at), and when
 * the event has a `bot_id` it must equal the envelope's. Unknown fields are accepted, so an older
 * consumer reads a newer producer's additions without error.
 * @throws UndecodableEventError when the envelope or payload bytes do not parse, or the envelope
 *   is incomplete or contradicts the payload.
 * @throws UnknownEventTypeError when the envelope's type and version are not a registered event.
 */
export function decodeEventMessage(bytes: Uint8Array): DecodedEvent {
  let envelope: EventEnvelope;
  try {
    envelope = fromBinary(EventEnvelopeSchema, bytes);
  } catch (error) {
    throw new UndecodableEventError(`envelope does not parse as botplatform.bus.v1.EventEnvelope: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const label = `event ${envelope.eventId || '(no id)'}`;
  const envelopeIssue = envelopeProblem(envelope);
  if (envelopeIssue) throw new UndecodableEventError(`${label}: ${envelopeIssue}`);

  const subject = `${envelope.type}.v${envelope.schemaVersion}`;
  const registered = findPublicEvent(subject);
  if (!registered) {
    throw new UnknownEventTypeError(
      `${label}: type "${envelope.type}" version ${envelope.schemaVersion} (subject ${subject}) is not a public event ` +
        `known to this build of the contracts (known: ${publicEventSubjects.join(', ')})`,
    );
  }
  let message: MessageShape<DescMessage>;
  try {
    message = fromBinary(registered.schema, envelope.payload);
  } catch (error) {
    throw new UndecodableEventError(`${label}: payload does not parse as ${registered.schema.typeName}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const tenantIssue = tenantProblem(envelope, registered, message);
  if (tenantIssue) throw new UndecodableEventError(`${label}: ${tenantIssue}`);

  // envelopeProblem() has checked actor and occurredAt are present and valid.
  const actor = envelope.actor!;
  const metadata: EventMetadata = {
    eventId: envelope.eventId,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    botId: envelope.botId,
    streamId: envelope.streamId,
    streamPosition: envelope.streamPosition,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId === '' ? undefined : envelope.causationId,
    actor: { kind: actor.kind, id: actor.id },
    occurredAt: timestampDate(envelope.occurredAt!),
  };
  return { envelope: metadata, subject, schema: registered.schema, message };
}

/**
 * Narrows a decoded event to one schema, typing its message:
 * `if (isEventOf(decoded, UserRegisteredSchema)) decoded.message.telegramUserId`.
 */
export function isEventOf<Desc extends DescMessage>(decoded: DecodedEvent, schema: Desc): decoded is DecodedEvent<Desc> {
  return decoded.schema.typeName === schema.typeName;
}

/** What makes an envelope unusable, or `undefined` when it is complete. */
function envelopeProblem(envelope: EventEnvelope): string | undefined {
  const missing: string[] = [];
  if (envelope.eventId === '') missing.push('event_id');
  if (envelope.type === '') missing.push('type');
  if (envelope.schemaVersion === 0) missing.push('schema_version');
  if (envelope.botId === '') missing.push('bot_id');
  if (envelope.streamId === '') missing.push('stream_id');
  if (envelope.correlationId === '') missing.push('correlation_id');
  if (!envelope.actor || envelope.actor.kind === ActorKind.UNSPECIFIED) missing.push('actor.kind');
  if (!envelope.occurredAt) missing.push('occurred_at');
  if (missing.length > 0) return `envelope lacks required field(s) ${missing.join(', ')}`;

  const { seconds, nanos } = envelope.occurredAt!;
  if (nanos < 0 || nanos > 999_999_999 || Number.isNaN(timestampDate(envelope.occurredAt!).getTime())) {
    return `occurred_at {seconds: ${seconds}, nanos: ${nanos}} is not a valid timestamp`;
  }
  return undefined;
}

/**
 * Every event carries its tenant (ARCHITECTURE.md); an event whose `bot_id` differs from the
 * envelope's was built for another bot or encoded with another schema, and must not be applied.
 */
function tenantProblem(envelope: EventEnvelope, registered: PublicEvent, message: MessageShape<DescMessage>): string | undefined {
  const botIdField = registered.schema.fields.find((field) => field.name === 'bot_id');
  if (!botIdField) return undefined;
  const payloadBotId: unknown = (message as unknown as Record<string, unknown>)[botIdField.localName];
  if (payloadBotId === envelope.botId) return undefined;
  return `payload bot_id "${String(payloadBotId)}" differs from envelope bot_id "${envelope.botId}"`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
