import { deepStrictEqual, fail } from 'node:assert/strict';
import type { Decider } from './decider.js';
import type { DomainEvent } from './event.js';

/**
 * given(events).when(command).then(events) for deciders: pure, fast tests of a decision.
 *
 *     DeciderSpecification.for(userDecider)
 *       .given([{ type: 'UserRegistered', data }])
 *       .when({ type: 'RegisterUser', ... })
 *       .then([]);
 */
export class DeciderSpecification<State, Command, Event extends DomainEvent> {
  private constructor(
    private readonly decider: Decider<State, Command, Event>,
    private readonly history: readonly Event[] = [],
  ) {}

  static for<S, C, E extends DomainEvent>(decider: Decider<S, C, E>): DeciderSpecification<S, C, E> {
    return new DeciderSpecification(decider);
  }

  given(events: readonly Event[]): DeciderSpecification<State, Command, Event> {
    return new DeciderSpecification(this.decider, events);
  }

  when(command: Command): {
    then(expected: readonly Event[]): void;
    thenThrows(errorType: abstract new (...args: never[]) => Error, check?: (error: Error) => void): void;
  } {
    const run = (): readonly Event[] => {
      let state = this.decider.initialState();
      for (const event of this.history) state = this.decider.evolve(state, event);
      return this.decider.decide(command, state);
    };
    return {
      // biome-ignore lint/suspicious/noThenProperty: given/when/then is the decider tests' language; this object is never awaited
      then: (expected) => deepStrictEqual(run(), expected),
      thenThrows: (errorType, check) => {
        let decided: readonly Event[];
        try {
          decided = run();
        } catch (error) {
          if (!(error instanceof errorType)) throw error;
          check?.(error);
          return;
        }
        fail(`expected ${errorType.name}, but the decider returned ${JSON.stringify(decided)}`);
      },
    };
  }
}
