import type { EntityManager } from '@mikro-orm/postgresql';
import { foldEvents, type Decider } from './decider.js';
import { ConcurrencyRetriesExhaustedError, WrongExpectedVersionError } from './errors.js';
import type { DomainEvent, EventContext, RecordedEvent } from './event.js';
import type { PostgresEventStore } from './postgres-event-store.js';

export interface CommandHandlerOptions {
  /** Attempts in all, the first included, before a conflict is given up on. */
  readonly maxAttempts?: number;
  /** Upper bound of the random pause between attempts, so racing writers spread out. */
  readonly maxBackoffMs?: number;
}

export interface CommandResult<State, Event extends DomainEvent> {
  readonly state: State;
  /** The stream's version after the command (unchanged when it decided nothing). */
  readonly version: number;
  readonly newEvents: readonly RecordedEvent<Event>[];
}

/**
 * Runs one decider against one stream: read and fold, decide, append with the version read. When
 * another writer got there first, the whole cycle runs again on the fresh state, because the decision
 * itself may change (a quota used up meanwhile, a user already registered).
 */
export class CommandHandler<State, Command, Event extends DomainEvent> {
  private readonly maxAttempts: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly decider: Decider<State, Command, Event>,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxBackoffMs = options.maxBackoffMs ?? 20;
  }

  async handle(
    streamId: string,
    command: Command,
    context: EventContext,
    options: { em?: EntityManager } = {},
  ): Promise<CommandResult<State, Event>> {
    for (let attempt = 1; ; attempt++) {
      const { version, events } = await this.store.readStream<Event>(streamId, options);
      let state = foldEvents(this.decider, events);
      const decided = this.decider.decide(command, state);
      if (decided.length === 0) return { state, version, newEvents: [] };
      try {
        const appended = await this.store.append(streamId, version === 0 ? 'no_stream' : version, decided, context, options);
        for (const event of decided) state = this.decider.evolve(state, event);
        return { state, version: appended.nextExpectedVersion, newEvents: appended.events };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= this.maxAttempts) throw new ConcurrencyRetriesExhaustedError(streamId, attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * this.maxBackoffMs));
      }
    }
  }
}
