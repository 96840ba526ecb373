import type { EntityManager } from '@mikro-orm/postgresql';
import { foldEvents, type Decider } from './decider.js';
import { ConcurrencyRetriesExhaustedError, WrongExpectedVersionError } from './errors.js';
import type { DomainEvent, EventContext, RecordedEvent } from './event.js';
import type { PostgresEventStore } from './postgres-event-store.js';

/**
 * A read model kept in step with the service's own events inside the append's transaction, so a query
 * right after a command sees its effect (an admin blocks a user; the next update is refused). Read
 * models fed by other services' events are consumers instead (libs/bus).
 */
export interface InlineProjection {
  readonly name: string;
  /** Applies freshly appended events (any types: ignore those it does not project) through `em`. */
  apply(events: readonly RecordedEvent[], em: EntityManager): Promise<void>;
}

export interface CommandHandlerOptions {
  /** Attempts in all, the first included, before a conflict is given up on. */
  readonly maxAttempts?: number;
  /** Upper bound of the random pause between attempts, so racing writers spread out. */
  readonly maxBackoffMs?: number;
  /** Read models updated in the same transaction as each append. */
  readonly projections?: readonly InlineProjection[];
  /**
   * Serialise the writers of one stream with a lock taken before it is read. For hot streams that many
   * requests hit at once (quota counters), where optimistic retries would mostly collide again.
   */
  readonly lockStream?: boolean;
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
 *
 * With projections, the append and the read models commit in one transaction, and a lost race rolls
 * both back before the retry. With a stream lock, the whole cycle runs in one transaction holding it.
 */
export class CommandHandler<State, Command, Event extends DomainEvent> {
  private readonly maxAttempts: number;
  private readonly maxBackoffMs: number;
  private readonly projections: readonly InlineProjection[];
  private readonly lockStream: boolean;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly decider: Decider<State, Command, Event>,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxBackoffMs = options.maxBackoffMs ?? 20;
    this.projections = options.projections ?? [];
    this.lockStream = options.lockStream ?? false;
  }

  async handle(
    streamId: string,
    command: Command,
    context: EventContext,
    options: { em?: EntityManager } = {},
  ): Promise<CommandResult<State, Event>> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.lockStream) {
          return await this.store.transaction(async (em) => {
            await this.store.lockStream(streamId, { em });
            return this.attempt(streamId, command, context, em, em);
          }, options);
        }
        // Optimistic: read and decide outside any transaction (most commands decide nothing, e.g. a known
        // user seen again); only an append opens one, for itself and the projections. The version check
        // of the append catches a writer that got in between.
        return await this.attempt(streamId, command, context, options.em, this.projections.length ? undefined : options.em);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= this.maxAttempts) throw new ConcurrencyRetriesExhaustedError(streamId, attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * this.maxBackoffMs));
      }
    }
  }

  /**
   * One read-decide-append cycle. `writeEm` is the transaction to append in; without one, a command with
   * projections opens its own around the append and the projections.
   */
  private async attempt(
    streamId: string,
    command: Command,
    context: EventContext,
    readEm: EntityManager | undefined,
    writeEm: EntityManager | undefined,
  ): Promise<CommandResult<State, Event>> {
    const { version, events } = await this.store.readStream<Event>(streamId, { em: readEm });
    let state = foldEvents(this.decider, events);
    const decided = this.decider.decide(command, state);
    if (decided.length === 0) return { state, version, newEvents: [] };
    const expected = version === 0 ? 'no_stream' : version;
    const appendAndProject = async (em: EntityManager | undefined) => {
      const appended = await this.store.append(streamId, expected, decided, context, { em });
      for (const projection of this.projections) await projection.apply(appended.events, em!);
      return appended;
    };
    const appended =
      writeEm || this.projections.length === 0
        ? await appendAndProject(writeEm)
        : await this.store.transaction((em) => appendAndProject(em), { em: readEm });
    for (const event of decided) state = this.decider.evolve(state, event);
    return { state, version: appended.nextExpectedVersion, newEvents: appended.events };
  }
}
