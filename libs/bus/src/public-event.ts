import { ActorKind, encodeEventMessage, subjectOf } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { PublicEventMapper } from './event-bus.js';

const ACTOR_KINDS: Record<RecordedEvent['metadata']['actor']['kind'], ActorKind> = {
  user: ActorKind.USER,
  admin: ActorKind.ADMIN,
  system: ActorKind.SYSTEM,
  service: ActorKind.SERVICE,
};

/** A stored event ready for the wire: its public subject and the encoded envelope. */
export interface EncodedPublicEvent {
  readonly eventId: string;
  readonly subject: string;
  readonly bytes: Uint8Array;
}

/**
 * Maps and encodes one stored event; `null` when the producer keeps it internal. Throws the
 * contracts' typed errors when the mapper produced something the contract refuses.
 */
export function encodePublicEvent(event: RecordedEvent, toPublic: PublicEventMapper): EncodedPublicEvent | null {
  const draft = toPublic(event);
  if (!draft) return null;
  const { metadata } = event;
  const bytes = encodeEventMessage({
    schema: draft.schema,
    message: draft.message,
    envelope: {
      eventId: metadata.eventId,
      botId: metadata.botId,
      streamId: metadata.streamId,
      streamPosition: BigInt(metadata.streamPosition),
      correlationId: metadata.correlationId,
      causationId: metadata.causationId ?? undefined,
      actor: { kind: ACTOR_KINDS[metadata.actor.kind], id: metadata.actor.id },
      occurredAt: metadata.occurredAt,
    },
  });
  return { eventId: metadata.eventId, subject: subjectOf(draft.schema), bytes };
}
