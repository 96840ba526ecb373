import { DeciderSpecification } from '@botplatform/event-store';
import { noteDecider, type CreateNote, type NoteCreated } from './note.decider.js';
import { NoteAlreadyExistsError } from './note.errors.js';

const create: CreateNote = {
  type: 'CreateNote',
  noteId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
  botId: '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10',
  text: 'Buy milk',
  now: '2026-11-30T10:00:00.000Z',
};
const created: NoteCreated = {
  type: 'NoteCreated',
  data: { noteId: create.noteId, botId: create.botId, text: 'Buy milk', createdAt: '2026-11-30T10:00:00.000Z' },
};

describe('Note', () => {
  const spec = DeciderSpecification.for(noteDecider);

  describe('when it does not exist yet', () => {
    it('is created with its text and the time of the command', () => {
      spec.given([]).when(create).then([created]);
    });
  });

  describe('when it exists', () => {
    it('refuses a second creation with NOTE_ALREADY_EXISTS', () => {
      spec
        .given([created])
        .when({ ...create, text: 'Buy bread' })
        .thenThrows(NoteAlreadyExistsError, (error) => expect((error as NoteAlreadyExistsError).code).toBe('PAYMENTS.NOTE_ALREADY_EXISTS'));
    });
  });
});
