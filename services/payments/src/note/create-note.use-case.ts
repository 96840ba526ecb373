import { CommandHandler, PostgresEventStore, type Actor } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { noteDecider, noteStreamId, type NoteCommand, type NoteEvent, type NoteState } from './note.decider.js';
import { notesProjection } from './notes.projection.js';

export interface CreateNoteInput {
  readonly noteId: string;
  readonly botId: string;
  readonly text: string;
  /** Who asks, recorded on the event. */
  readonly actor: Actor;
}

/**
 * Creates a note: the one place that turns a request into the decider's command (the time is read here,
 * not in the decider) and appends what it decides, with the notes read model in the same transaction.
 */
@Injectable()
export class CreateNoteUseCase {
  private readonly commands: CommandHandler<NoteState, NoteCommand, NoteEvent>;

  constructor(store: PostgresEventStore) {
    this.commands = new CommandHandler(store, noteDecider, { projections: [notesProjection] });
  }

  async execute(input: CreateNoteInput): Promise<{ noteId: string; createdAt: Date }> {
    const now = new Date();
    await this.commands.handle(
      noteStreamId(input.noteId),
      { type: 'CreateNote', noteId: input.noteId, botId: input.botId, text: input.text, now: now.toISOString() },
      { botId: input.botId, correlationId: input.noteId, causationId: null, actor: input.actor, occurredAt: now },
    );
    return { noteId: input.noteId, createdAt: now };
  }
}
