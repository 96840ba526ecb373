import type { PublicEventMapper } from '@botplatform/bus';
import { NoteCreatedSchema, timestampFromDate } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { NoteEvent } from './note.decider.js';

/**
 * The payments service's stored events as other services see them (proto/botplatform/payments/v1). Each
 * field is picked by name, so nothing internal slips out; an event without a public form returns null.
 */
export const notePublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<NoteEvent>;
  switch (event.type) {
    case 'NoteCreated': {
      const { data } = event;
      return {
        schema: NoteCreatedSchema,
        message: { noteId: data.noteId, botId: data.botId, text: data.text, createdAt: timestampFromDate(new Date(data.createdAt)) },
      };
    }
    default:
      return null;
  }
};
