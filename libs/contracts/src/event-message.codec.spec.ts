import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { TimestampSchema, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { InvalidEventEnvelopeError, UndecodableEventError, UnknownEventTypeError } from './contracts.errors.js';
import { decodeEventMessage, encodeEventMessage, isEventOf, type EventMetadataInit } from './event-message.codec.js';
import { publicEventSubjects } from './event-registry.js';
import { ActorKind, EventEnvelopeSchema, type EventEnvelope } from './gen/botplatform/bus/v1/envelope_pb.js';
import { UserRegisteredSchema } from './gen/botplatform/users/v1/events_pb.js';
import { RegisterUserReplySchema } from './gen/botplatform/users/v1/rpc_pb.js';
import { int64ToNumber } from './int64.js';

const BOT_ID = '0b9d6a52-6c55-4f4e-9a51-2f0f4f9a7c11';
// The largest 52-bit value: Telegram's documented maximum, and beyond 2^32 so a 32-bit slip shows.
const TELEGRAM_USER_ID = 2n ** 52n - 1n;

const envelope: EventMetadataInit = {
  eventId: '5f0c3c3e-3d5b-4d8e-8f41-0c1d2e3f4a5b',
  botId: BOT_ID,
  streamId: 'user-42',
  streamPosition: 3,
  correlationId: 'c2a7a5a4-1111-4a4a-9b9b-000000000001',
  causationId: 'c2a7a5a4-1111-4a4a-9b9b-000000000002',
  actor: { kind: ActorKind.USER, id: 'user-42' },
  occurredAt: new Date('2026-11-20T10:15:30.123Z'),
};

const userRegistered: MessageInitShape<typeof UserRegisteredSchema> = {
  botId: BOT_ID,
  userId: '9a1f7f3e-2b8c-4d7e-a6f5-3c2b1a0f9e8d',
  telegramUserId: TELEGRAM_USER_ID,
  username: 'ada',
  firstName: 'Ada',
  languageCode: 'en',
  isPremium: true,
  startPayload: 'ref-777',
  registeredAt: timestampFromDate(new Date('2026-11-20T10:15:30.123Z')),
};

/** A well-formed envelope as a producer would write it, for tests that break one part of it. */
function envelopeMessage(overrides: Partial<Omit<EventEnvelope, '$typeName'>> = {}): EventEnvelope {
  const valid = create(EventEnvelopeSchema, {
    eventId: envelope.eventId,
    type: 'users.user.registered',
    schemaVersion: 1,
    botId: BOT_ID,
    streamId: 'user-42',
    streamPosition: 3n,
    correlationId: envelope.correlationId,
    actor: { kind: ActorKind.USER, id: 'user-42' },
    occurredAt: timestampFromDate(envelope.occurredAt),
    payload: toBinary(UserRegisteredSchema, create(UserRegisteredSchema, userRegistered)),
  });
  return Object.assign(valid, overrides);
}

function decodeError(bytes: Uint8Array): unknown {
  try {
    decodeEventMessage(bytes);
  } catch (error) {
    return error;
  }
  throw new Error('expected decodeEventMessage to throw');
}

describe('encodeEventMessage / decodeEventMessage', () => {
  describe('round trip of UserRegistered', () => {
    const decoded = decodeEventMessage(encodeEventMessage({ envelope, schema: UserRegisteredSchema, message: userRegistered }));

    it('keeps every envelope field, with type and version taken from the schema option', () => {
      expect(decoded.envelope).toEqual({
        ...envelope,
        streamPosition: 3n,
        type: 'users.user.registered',
        schemaVersion: 1,
      });
      expect(decoded.envelope.occurredAt.toISOString()).toBe('2026-11-20T10:15:30.123Z');
    });

    it('names the subject and schema of the payload', () => {
      expect(decoded.subject).toBe('users.user.registered.v1');
      expect(decoded.schema.typeName).toBe('botplatform.users.v1.UserRegistered');
    });

    it('keeps the payload intact, including the int64 telegram id and the timestamp', () => {
      expect(isEventOf(decoded, UserRegisteredSchema)).toBe(true);
      if (!isEventOf(decoded, UserRegisteredSchema)) return;
      expect(decoded.message).toEqual(create(UserRegisteredSchema, userRegistered));
      expect(decoded.message.telegramUserId).toBe(TELEGRAM_USER_ID);
      expect(int64ToNumber(decoded.message.telegramUserId)).toBe(4_503_599_627_370_495);
      expect(decoded.message.lastName).toBeUndefined();
      expect(decoded.message.registeredAt?.nanos).toBe(123_000_000);
    });

    it('reports an absent causation id as undefined', () => {
      const { causationId: _omitted, ...withoutCausation } = envelope;
      const bytes = encodeEventMessage({ envelope: withoutCausation, schema: UserRegisteredSchema, message: userRegistered });
      expect(decodeEventMessage(bytes).envelope.causationId).toBeUndefined();
    });
  });

  describe('isEventOf', () => {
    it('rejects a schema other than the decoded one', () => {
      const decoded = decodeEventMessage(encodeEventMessage({ envelope, schema: UserRegisteredSchema, message: userRegistered }));
      expect(isEventOf(decoded, RegisterUserReplySchema)).toBe(false);
    });
  });

  describe('when encoding', () => {
    it('refuses a message that is not a public event', () => {
      expect(() => encodeEventMessage({ envelope, schema: RegisterUserReplySchema, message: { userId: 'u' } })).toThrow(UnknownEventTypeError);
    });

    it('refuses an envelope without a correlation id', () => {
      expect(() => encodeEventMessage({ envelope: { ...envelope, correlationId: '' }, schema: UserRegisteredSchema, message: userRegistered })).toThrow(
        new InvalidEventEnvelopeError(`event ${envelope.eventId}: envelope lacks required field(s) correlation_id`),
      );
    });

    it('refuses an event for another bot than the envelope', () => {
      expect(() => encodeEventMessage({ envelope, schema: UserRegisteredSchema, message: { ...userRegistered, botId: 'other-bot' } })).toThrow(
        /payload bot_id "other-bot" differs from envelope bot_id/,
      );
    });

    it('refuses a negative stream position', () => {
      expect(() => encodeEventMessage({ envelope: { ...envelope, streamPosition: -1 }, schema: UserRegisteredSchema, message: userRegistered })).toThrow(
        InvalidEventEnvelopeError,
      );
    });
  });

  describe('when the type is not a registered public event', () => {
    it('raises UnknownEventTypeError naming the type, version and event', () => {
      const error = decodeError(toBinary(EventEnvelopeSchema, envelopeMessage({ type: 'users.user.deleted' })));
      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect(error).toMatchObject({
        code: 'CONTRACTS.UNKNOWN_EVENT_TYPE',
        reason:
          `event ${envelope.eventId}: type "users.user.deleted" version 1 (subject users.user.deleted.v1) is not a ` +
          `public event known to this build of the contracts (known: ${publicEventSubjects.join(', ')})`,
      });
    });

    it('raises it for a known type with a newer version too', () => {
      expect(decodeError(toBinary(EventEnvelopeSchema, envelopeMessage({ schemaVersion: 2 })))).toBeInstanceOf(UnknownEventTypeError);
    });
  });

  describe('when the bytes do not decode', () => {
    const valid = encodeEventMessage({ envelope, schema: UserRegisteredSchema, message: userRegistered });

    it('raises UndecodableEventError for garbage bytes', () => {
      const error = decodeError(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
      expect(error).toBeInstanceOf(UndecodableEventError);
      expect(error).toMatchObject({ code: 'CONTRACTS.UNDECODABLE' });
      expect((error as UndecodableEventError).reason).toMatch(/^envelope does not parse as botplatform\.bus\.v1\.EventEnvelope: /);
    });

    it('raises UndecodableEventError for a truncated message', () => {
      const error = decodeError(valid.subarray(0, valid.length - 5));
      expect(error).toBeInstanceOf(UndecodableEventError);
      expect((error as UndecodableEventError).reason).toMatch(/^envelope does not parse/);
    });

    it('raises UndecodableEventError for bytes that parse but carry no envelope fields', () => {
      // Field 15, varint 1: well-formed protobuf, but only an unknown field.
      const error = decodeError(new Uint8Array([0x78, 0x01]));
      expect(error).toBeInstanceOf(UndecodableEventError);
      expect((error as UndecodableEventError).reason).toBe(
        'event (no id): envelope lacks required field(s) event_id, type, schema_version, bot_id, stream_id, ' + 'correlation_id, actor.kind, occurred_at',
      );
    });

    it('raises UndecodableEventError for an empty message', () => {
      expect(decodeError(new Uint8Array())).toBeInstanceOf(UndecodableEventError);
    });

    it('raises UndecodableEventError when only the event id is missing', () => {
      const error = decodeError(toBinary(EventEnvelopeSchema, envelopeMessage({ eventId: '' })));
      expect((error as UndecodableEventError).reason).toBe('event (no id): envelope lacks required field(s) event_id');
    });

    it('raises UndecodableEventError when the payload does not parse', () => {
      const error = decodeError(toBinary(EventEnvelopeSchema, envelopeMessage({ payload: new Uint8Array([0x0a, 0x05, 0x61]) })));
      expect(error).toBeInstanceOf(UndecodableEventError);
      expect((error as UndecodableEventError).reason).toMatch(
        new RegExp(`^event ${envelope.eventId}: payload does not parse as botplatform\\.users\\.v1\\.UserRegistered: `),
      );
    });

    it('raises UndecodableEventError when the payload belongs to another bot', () => {
      const payload = toBinary(UserRegisteredSchema, create(UserRegisteredSchema, { ...userRegistered, botId: 'other-bot' }));
      const error = decodeError(toBinary(EventEnvelopeSchema, envelopeMessage({ payload })));
      expect(error).toBeInstanceOf(UndecodableEventError);
      expect((error as UndecodableEventError).reason).toBe(`event ${envelope.eventId}: payload bot_id "other-bot" differs from envelope bot_id "${BOT_ID}"`);
    });

    it('raises UndecodableEventError for an out-of-range timestamp', () => {
      const error = decodeError(toBinary(EventEnvelopeSchema, envelopeMessage({ occurredAt: create(TimestampSchema, { seconds: 0n, nanos: -1 }) })));
      expect((error as UndecodableEventError).reason).toMatch(/occurred_at \{seconds: 0, nanos: -1\} is not a valid timestamp/);
    });
  });
});
