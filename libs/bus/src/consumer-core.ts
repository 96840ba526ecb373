import { ContractsError, decodeEventMessage, findPublicEvent, type DecodedEvent } from '@botplatform/contracts';
import { runSql, sqlLiteral } from '@botplatform/event-store';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { ParkEventError, type ConsumerDefinition, type DeadLetter, type DeadLetterReplay } from './event-bus.js';
import { isInfrastructureFailure } from './infrastructure-failure.js';
import type { BusObserver } from './observability/bus-observer.js';
import { withLogContext } from './observability/log-context.js';
import { SpanKind, contextFromHeaders, inSpan, type HeaderSource } from './observability/trace-context.js';

/** One message as a transport received it. */
export interface Delivery {
  /** Public subject (namespace removed). */
  readonly subject: string;
  /** Set when the transport could not turn the event into a message at all: parked with this reason. */
  readonly unreadable?: string;
  readonly data: Uint8Array;
  /** 1 on the first delivery. */
  readonly attempt: number;
  /** Trace context of the work that published the event (`traceparent`), when it had one. */
  readonly headers?: HeaderSource;
}

/**
 * What happened to each delivery. `apply` throws instead when the consumer's own database failed: the
 * transport then retries the same run later, as if it had never been tried.
 */
export type DeliveryOutcome =
  /** Effect committed, or nothing to do (a duplicate, or an event this consumer does not handle). */
  | { readonly kind: 'applied' }
  | { readonly kind: 'park'; readonly reason: string; readonly eventId: string | null; readonly attempts: number }
  /** Transient failure: deliver again after `delayMs`. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  /** Not tried, because an earlier event must succeed first (order within the stream). */
  | { readonly kind: 'blocked' };

/**
 * Runs a function in the async context this module was loaded in, i.e. none. MikroORM finds the
 * current transaction in async-local storage: an after-commit callback run where the transaction ran
 * would have everything it starts fork that committed transaction's entity manager.
 */
const outsideAnyTransaction = AsyncLocalStorage.snapshot();

const logger = new Logger('Consumer');

const DEFAULT_MAX_DELIVER = 5;
const DEFAULT_BACKOFF_MS = [500, 2_000, 10_000, 30_000];

type Classified =
  | { readonly kind: 'skip' }
  | { readonly kind: 'park'; readonly reason: string; readonly eventId: string | null }
  | { readonly kind: 'handle'; readonly event: DecodedEvent };

/**
 * What both transports share: decoding, the inbox, and the retry/park policy. A run of deliveries is
 * applied in one transaction (effects plus inbox rows); if that fails, the run is replayed one event
 * at a time so only the failing event is retried or parked, and nothing after it is applied before it.
 */
export class ConsumerCore {
  readonly maxDeliver: number;
  private readonly backoffMs: readonly number[];
  private readonly subjects: ReadonlySet<string>;
  private readonly inboxTable: string;

  constructor(
    readonly definition: ConsumerDefinition,
    private readonly orm: MikroORM,
    /** Told of an after-commit callback that threw (the transport's `onError`). */
    private readonly onError?: (error: unknown) => void,
    /** Told of every settled delivery (metrics). */
    private readonly observer?: BusObserver,
  ) {
    this.maxDeliver = definition.maxDeliver ?? DEFAULT_MAX_DELIVER;
    this.backoffMs = definition.backoffMs?.length ? definition.backoffMs : DEFAULT_BACKOFF_MS;
    this.subjects = new Set(definition.subjects);
    for (const subject of definition.subjects) {
      if (!findPublicEvent(subject)) throw new Error(`consumer ${definition.name}: ${subject} is not a public event`);
    }
    this.inboxTable = `"${orm.config.get('schema')}".bus_inbox`;
  }

  /**
   * Applies dead letters again, oldest first, outside the stream's order (an operator's decision):
   * each that succeeds now (or was applied meanwhile) is removed with `remove`, the others are kept.
   * `prepare` lets a transport rebuild a letter before it is tried (the embedded one re-maps it).
   */
  async replayDeadLetters(
    letters: readonly DeadLetter[],
    remove: (letter: DeadLetter) => Promise<unknown>,
    prepare: (letter: DeadLetter) => Promise<Pick<Delivery, 'subject' | 'data' | 'unreadable'>> = async (letter) => letter,
  ): Promise<DeadLetterReplay> {
    let replayed = 0;
    const stillFailing: { id: string; reason: string }[] = [];
    for (const letter of letters) {
      const reason = await this.replayOne(await prepare(letter));
      if (reason !== undefined) {
        stillFailing.push({ id: letter.id, reason });
        continue;
      }
      await remove(letter);
      replayed++;
    }
    return { replayed, stillFailing };
  }

  private async replayOne(letter: Pick<Delivery, 'subject' | 'data' | 'unreadable'>): Promise<string | undefined> {
    try {
      const [outcome] = await this.apply([{ ...letter, attempt: this.maxDeliver }]);
      return outcome.kind === 'applied' ? undefined : outcome.kind === 'blocked' ? 'blocked' : outcome.reason;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Delay before delivery `attempt + 1`. */
  backoffAfter(attempt: number): number {
    return this.backoffMs[Math.min(attempt, this.backoffMs.length) - 1];
  }

  async apply(deliveries: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    const classified = deliveries.map((delivery) => this.classify(delivery));
    const outcomes: DeliveryOutcome[] = [];
    let from = 0;
    // After a batch failed, its events go one at a time up to here, to find the failing one.
    let singlyUntil = 0;
    while (from < deliveries.length) {
      const to = from < singlyUntil ? from + 1 : deliveries.length;
      const failure = await this.applyInOneTransaction(classified, deliveries, from, to);
      if (!failure) {
        for (let i = from; i < to; i++) outcomes.push(this.settled(classified[i], deliveries[i]));
        from = to;
        continue;
      }
      // The transport retries the run as it is, without spending the events' attempts.
      if (isInfrastructureFailure(failure.error)) throw failure.error;
      if (failure.index === undefined) {
        singlyUntil = to;
        continue;
      }
      if (failure.index > from) {
        // Everything before the failing event was rolled back with it: apply that prefix on its own.
        const prefixFailure = await this.applyInOneTransaction(classified, deliveries, from, failure.index);
        if (prefixFailure) {
          singlyUntil = failure.index;
          continue;
        }
        for (let i = from; i < failure.index; i++) outcomes.push(this.settled(classified[i], deliveries[i]));
        from = failure.index;
      }
      const outcome = this.outcomeOfFailure(failure.error, classified[from], deliveries[from]);
      outcomes.push(outcome);
      if (outcome.kind === 'retry') {
        while (outcomes.length < deliveries.length) outcomes.push({ kind: 'blocked' });
        break;
      }
      from += 1;
    }
    this.report(classified, deliveries, outcomes);
    return outcomes;
  }

  private report(classified: readonly Classified[], deliveries: readonly Delivery[], outcomes: readonly DeliveryOutcome[]): void {
    if (!this.observer?.eventSettled) return;
    outcomes.forEach((outcome, i) => {
      if (outcome.kind === 'blocked') return;
      const item = classified[i];
      const kind = outcome.kind === 'park' ? 'parked' : outcome.kind === 'retry' ? 'retry' : item.kind === 'skip' ? 'skipped' : 'applied';
      const occurredAt = item.kind === 'handle' ? item.event.envelope.occurredAt : undefined;
      const lag = occurredAt ? Math.max(0, (Date.now() - occurredAt.getTime()) / 1_000) : undefined;
      this.observer!.eventSettled!(this.definition.name, deliveries[i].subject, kind, deliveries[i].attempt, lag);
    });
  }

  private classify(delivery: Delivery): Classified {
    if (delivery.unreadable) return { kind: 'park', reason: delivery.unreadable, eventId: null };
    const known = findPublicEvent(delivery.subject);
    if (!known) return { kind: 'park', reason: `unknown event type: no public event ${delivery.subject}`, eventId: null };
    if (!this.subjects.has(delivery.subject)) return { kind: 'skip' };
    try {
      const event = decodeEventMessage(delivery.data);
      if (event.subject !== delivery.subject) {
        return {
          kind: 'park',
          reason: `envelope says ${event.subject} but the message came on ${delivery.subject}`,
          eventId: event.envelope.eventId,
        };
      }
      return { kind: 'handle', event };
    } catch (error) {
      if (error instanceof ContractsError) return { kind: 'park', reason: `${error.code}: ${error.message}`, eventId: null };
      throw error;
    }
  }

  private settled(item: Classified, delivery: Delivery): DeliveryOutcome {
    if (item.kind === 'park') return { kind: 'park', reason: item.reason, eventId: item.eventId, attempts: delivery.attempt };
    return { kind: 'applied' };
  }

  /**
   * Applies `[from, to)` in one transaction: inbox rows and effects commit together or not at all.
   * On failure, says which event failed, or `index: undefined` when a batch handler failed as a whole.
   */
  private async applyInOneTransaction(
    classified: readonly Classified[],
    deliveries: readonly Delivery[],
    from: number,
    to: number,
  ): Promise<{ index: number | undefined; error: unknown } | undefined> {
    const toHandle: { index: number; event: DecodedEvent }[] = [];
    for (let i = from; i < to; i++) {
      const item = classified[i];
      if (item.kind === 'handle') toHandle.push({ index: i, event: item.event });
    }
    if (toHandle.length === 0) return undefined;
    let failing: number | undefined;
    // Per attempt: the callbacks of a transaction that rolled back are dropped with it.
    const afterCommit: (() => void)[] = [];
    const schedule = (callback: () => void) => void afterCommit.push(callback);
    try {
      await this.orm.em.fork().transactional(async (em) => {
        const fresh = await this.recordInInbox(
          em,
          toHandle.map((h) => h.event.envelope.eventId),
        );
        // delete(): a message delivered twice within one run is applied once.
        const unseen = toHandle.filter(({ event }) => fresh.delete(event.envelope.eventId));
        if (unseen.length === 0) return;
        const { definition } = this;
        if (definition.handleBatch) {
          failing = unseen.length === 1 ? unseen[0].index : undefined;
          const attempt = Math.max(...unseen.map(({ index }) => deliveries[index].attempt));
          // A batch is logged and traced as its first event.
          const first = unseen[0];
          await this.observed(first.event, deliveries[first.index], () =>
            definition.handleBatch(
              unseen.map((u) => u.event),
              { em, attempt, afterCommit: schedule },
            ),
          );
          return;
        }
        for (const { index, event } of unseen) {
          failing = index;
          await this.observed(event, deliveries[index], () => definition.handle(event, { em, attempt: deliveries[index].attempt, afterCommit: schedule }));
        }
      });
    } catch (error) {
      // A failure outside any handler (the database itself) is charged to the first event of the run.
      return { index: failing ?? (toHandle.length === 1 ? toHandle[0].index : undefined), error };
    }
    for (const callback of afterCommit) {
      try {
        outsideAnyTransaction(callback);
      } catch (error) {
        this.onError?.(error);
      }
    }
    return undefined;
  }

  /** Runs a handler in a span continuing the publisher's trace, with the event's ids in the log context. */
  private observed(event: DecodedEvent, delivery: Delivery, handle: () => Promise<void>): Promise<void> {
    const { envelope } = event;
    const fields = {
      service: this.definition.name.split('--')[0],
      correlationId: envelope.correlationId,
      botId: envelope.botId,
      eventId: envelope.eventId,
      subject: event.subject,
    };
    const attributes = {
      'messaging.consumer.group.name': this.definition.name,
      'messaging.message.id': envelope.eventId,
      'messaging.delivery.attempt': delivery.attempt,
    };
    return withLogContext(fields, () =>
      inSpan(`consume ${event.subject}`, { parent: contextFromHeaders(delivery.headers), kind: SpanKind.CONSUMER, attributes }, async () => {
        await handle();
        logger.debug(`${this.definition.name} handled ${event.subject} (attempt ${delivery.attempt})`);
      }),
    );
  }

  private outcomeOfFailure(error: unknown, item: Classified, delivery: Delivery): DeliveryOutcome {
    const eventId = item.kind === 'handle' ? item.event.envelope.eventId : null;
    const attempt = delivery.attempt;
    if (error instanceof ParkEventError) return { kind: 'park', reason: error.reason, eventId, attempts: attempt };
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (attempt >= this.maxDeliver) {
      return { kind: 'park', reason: `handler failed ${attempt} times, last: ${message}`, eventId, attempts: attempt };
    }
    return { kind: 'retry', delayMs: this.backoffAfter(attempt), reason: message };
  }

  /**
   * Inserts the inbox rows; returns the ids not seen before (the others are duplicates). The first
   * statement of the transaction, written with literals rather than parameters so that it goes out with
   * the transaction's BEGIN as one round trip (`deferBegin`): the ids and the name are escaped as literals.
   */
  private async recordInInbox(em: EntityManager, eventIds: readonly string[]): Promise<Set<string>> {
    const rows = await runSql<{ event_id: string }>(
      em,
      `INSERT INTO ${this.inboxTable} (consumer, event_id)
       SELECT ${sqlLiteral(this.definition.name)}, id FROM unnest(ARRAY[${eventIds.map(sqlLiteral).join(', ')}]::uuid[]) AS id
       ON CONFLICT DO NOTHING RETURNING event_id`,
    );
    return new Set(rows.map((row) => row.event_id));
  }
}
