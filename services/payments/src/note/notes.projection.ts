import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { NOTE_EVENT_TYPES, type NoteEvent } from './note.decider.js';
import { Note } from './note.entity.js';

const isNoteEvent = (event: RecordedEvent): event is RecordedEvent<NoteEvent> => (NOTE_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The notes read model, written in the append's transaction (an inline projection), so a query right
 * after `create-note` sees the note. Upserts, so applying an event twice leaves one row.
 */
export const notesProjection: InlineProjection = {
  name: 'payments.notes',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isNoteEvent(event)) continue;
      switch (event.type) {
        case 'NoteCreated': {
          const { data } = event;
          await em.upsert(Note, { noteId: data.noteId, botId: data.botId, text: data.text, createdAt: new Date(data.createdAt) });
          break;
        }
      }
    }
  },
};
