import type { EntityManager } from '@mikro-orm/postgresql';
import { foldEvents, type Decider } from './decider.js';
import { ConcurrencyRetriesExhaustedError, InvalidAppendError, WrongExpectedVersionError } from './errors.js';
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

/** One command of `CommandHandler.handleTogether`: which handler runs it, on which stream. */
export interface StreamCommand<State, Command, Event extends DomainEvent> {
  readonly handler: CommandHandler<State, Command, Event>;
  readonly streamId: string;
  readonly command: Command;
}

/** The results of `handleTogether`, one per command, in order. */
// biome-ignore lint/suspicious/noExplicitAny: any command of any decider; `unknown` would reject deciders (their functions take narrower types)
export type CommandResultsOf<T extends readonly StreamCommand<any, any, any>[]> = {
  // biome-ignore lint/suspicious/noExplicitAny: the middle parameter is not inferred, only matched
  [K in keyof T]: T[K] extends StreamCommand<infer S, any, infer E> ? CommandResult<S, E> : never;
};

interface Decision<State, Event extends DomainEvent> {
  readonly state: State;
  readonly version: number;
  readonly decided: readonly Event[];
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

  async handle(streamId: string, command: Command, context: EventContext, options: { em?: EntityManager } = {}): Promise<CommandResult<State, Event>> {
    return this.retrying(streamId, () => {
      if (this.lockStream) {
        return this.store.transaction(async (em) => {
          await this.store.lockStream(streamId, { em });
          return this.attempt(streamId, command, context, em, em);
        }, options);
      }
      // Optimistic: read and decide outside any transaction (most commands decide nothing, e.g. a known
      // user seen again); only an append opens one, for itself and the projections. The version check
      // of the append catches a writer that got in between.
      return this.attempt(streamId, command, context, options.em, this.projections.length ? undefined : options.em);
    });
  }

  /** `command` on `streamId` through this handler, typed, for `handleTogether`. */
  on(streamId: string, command: Command): StreamCommand<State, Command, Event> {
    return { handler: this, streamId, command };
  }

  /**
   * Runs commands on different streams (each with its own handler) as one unit: the streams are read in
   * one statement and decided outside a transaction, then every append, each with the version its command
   * read, goes in one statement (`appendStreams`), and the handlers' projections follow, all in one
   * transaction. A conflict on any stream
   * rolls all of them back and re-runs them all on fresh state. Retries follow the first handler's
   * options; handlers that lock their stream are not supported.
   *
   * Why: a request that touches two streams (a new user's identity and membership) otherwise pays two
   * reads and two transactions, and on a busy process every round trip to PostgreSQL counts.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any command of any decider (see CommandResultsOf)
  static async handleTogether<const T extends readonly StreamCommand<any, any, any>[]>(commands: T, context: EventContext): Promise<CommandResultsOf<T>> {
    const first = commands[0];
    if (!first) return [] as unknown as CommandResultsOf<T>;
    const { store } = first.handler;
    const streamIds = commands.map((c) => c.streamId);
    if (new Set(streamIds).size !== streamIds.length) throw new InvalidAppendError('handleTogether needs distinct streams');
    if (commands.some((c) => c.handler.store !== store || c.handler.lockStream)) {
      throw new InvalidAppendError('handleTogether needs handlers of one store that do not lock their streams');
    }
    return first.handler.retrying(streamIds.join(', '), async () => {
      const streams = await store.readStreams(streamIds);
      const decisions = commands.map((c) => c.handler.decideOn(streams.get(c.streamId)!, c.command));
      const unchanged = (d: Decision<unknown, DomainEvent>) => ({ state: d.state, version: d.version, newEvents: [] });
      if (decisions.every((d) => d.decided.length === 0)) return decisions.map(unchanged) as unknown as CommandResultsOf<T>;
      return store.transaction(async (em) => {
        const deciding = commands.flatMap((_, i) => (decisions[i].decided.length ? [i] : []));
        const appended = await store.appendStreams(
          deciding.map((i) => ({
            streamId: commands[i].streamId,
            expectedVersion: decisions[i].version === 0 ? ('no_stream' as const) : decisions[i].version,
            events: decisions[i].decided,
          })),
          context,
          { em },
        );
        const eventsOf = new Map<number, RecordedEvent[]>(deciding.map((i) => [i, appended.filter((e) => e.metadata.streamId === commands[i].streamId)]));
        // Each projection once, over the events of every command whose handler lists it, in command order:
        // the same rows as projecting each command's events in turn, in fewer statements when a projection
        // writes a run of events at once.
        const projections = [...new Set(commands.flatMap((c) => c.handler.projections))];
        for (const projection of projections) {
          const events = deciding.filter((i) => commands[i].handler.projections.includes(projection)).flatMap((i) => eventsOf.get(i)!);
          if (events.length) await projection.apply(events, em);
        }
        return commands.map((c, i) => {
          const decision = decisions[i];
          if (!decision.decided.length) return unchanged(decision);
          const events = eventsOf.get(i)!;
          let state = decision.state;
          for (const event of decision.decided) state = c.handler.decider.evolve(state, event);
          return { state, version: events[events.length - 1].metadata.streamPosition, newEvents: events };
        }) as unknown as CommandResultsOf<T>;
      });
    });
  }

  /** Runs `cycle` again on a version conflict, after a random pause, up to `maxAttempts` in all. */
  private async retrying<R>(streamId: string, cycle: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await cycle();
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
    const decision = this.decideOn(await this.store.readStream<Event>(streamId, { em: readEm }), command);
    if (decision.decided.length === 0) return { state: decision.state, version: decision.version, newEvents: [] };
    return writeEm || this.projections.length === 0
      ? this.commit(streamId, decision, context, writeEm)
      : this.store.transaction((em) => this.commit(streamId, decision, context, em), { em: readEm });
  }

  private decideOn(stream: { version: number; events: readonly RecordedEvent<Event>[] }, command: Command): Decision<State, Event> {
    const state = foldEvents(this.decider, stream.events);
    return { state, version: stream.version, decided: this.decider.decide(command, state) };
  }

  /** Appends what was decided with the version it was decided on, then projects it through the same `em`. */
  private async commit(
    streamId: string,
    { state, version, decided }: Decision<State, Event>,
    context: EventContext,
    em: EntityManager | undefined,
  ): Promise<CommandResult<State, Event>> {
    const appended = await this.store.append(streamId, version === 0 ? 'no_stream' : version, decided, context, { em });
    for (const projection of this.projections) await projection.apply(appended.events, em!);
    let next = state;
    for (const event of decided) next = this.decider.evolve(next, event);
    return { state: next, version: appended.nextExpectedVersion, newEvents: appended.events };
  }
}
