import type { Decider, DomainEvent } from '@botplatform/event-store';
import { NoteAlreadyExistsError } from './note.errors.js';

export interface CreateNote {
  readonly type: 'CreateNote';
  /** Chosen by the caller (a UUID), so a retried request cannot create a second note. */
  readonly noteId: string;
  readonly botId: string;
  readonly text: string;
  /** ISO time of the command: the decider reads no clock. */
  readonly now: string;
}

export type NoteCommand = CreateNote;

export type NoteCreated = DomainEvent<'NoteCreated', { noteId: string; botId: string; text: string; createdAt: string }>;

export type NoteEvent = NoteCreated;

/** The event types of this decider, for projections that see every event of the store. */
export const NOTE_EVENT_TYPES = ['NoteCreated'] as const satisfies readonly NoteEvent['type'][];

export type NoteState = { readonly status: 'none' } | { readonly status: 'created'; readonly createdAt: string };

/**
 * The example aggregate of the payments service: a note of a bot. Replace it with your own; keep the shape:
 * pure `decide` and `evolve`, time and ids in the command, typed errors for refusals.
 */
export const noteDecider: Decider<NoteState, NoteCommand, NoteEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (_state, event) => {
    switch (event.type) {
      case 'NoteCreated':
        return { status: 'created', createdAt: event.data.createdAt };
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'CreateNote': {
        if (state.status === 'created') throw new NoteAlreadyExistsError(command.noteId);
        return [{ type: 'NoteCreated', data: { noteId: command.noteId, botId: command.botId, text: command.text, createdAt: command.now } }];
      }
    }
  },
};

/** The stream of one note. */
export const noteStreamId = (noteId: string): string => `note-${noteId}`;
