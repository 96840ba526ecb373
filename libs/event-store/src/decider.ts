import type { DomainEvent } from './event.js';

/**
 * The decider pattern: state folded from past events (`evolve`), decisions as pure functions of a
 * command and that state (`decide`). No I/O, no clock, no randomness: whatever a decision needs (the
 * time, new ids) arrives in the command.
 */
export interface Decider<State, Command, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** Returns the new events, or throws a typed domain error when the command is refused. */
  decide(command: Command, state: State): readonly Event[];
}

/** Folds events into state, starting from the decider's initial state. */
export function foldEvents<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
