import { PaymentsError } from '../payments.errors.js';

/** A note with this id was created already: note ids are chosen by the caller and used once. */
export class NoteAlreadyExistsError extends PaymentsError {
  readonly code = 'PAYMENTS.NOTE_ALREADY_EXISTS';
  constructor(readonly noteId: string) {
    super(`note ${noteId} exists already`);
  }
}
