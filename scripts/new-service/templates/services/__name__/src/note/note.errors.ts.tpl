import { __Name__Error } from '../__name__.errors.js';

/** A note with this id was created already: note ids are chosen by the caller and used once. */
export class NoteAlreadyExistsError extends __Name__Error {
  readonly code = '__NAME__.NOTE_ALREADY_EXISTS';
  constructor(readonly noteId: string) {
    super(`note ${noteId} exists already`);
  }
}
