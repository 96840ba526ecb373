import { isInfrastructureFailure, withLogContext } from '@botplatform/bus';
import { runSql } from '@botplatform/event-store';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InvalidTimerWorkerError, ParkTimerError, TimerHandlerTimeoutError } from './scheduler.errors.js';
import { isoTimestamp, timerTableOf } from './timer-table.js';

/** A timer handed to its handler. */
export interface DueTimer<Payload = unknown> {
  readonly id: string;
  readonly kind: string;
  readonly key: string;
  readonly dueAt: Date;
  readonly payload: Payload;
  /** 1 on the first attempt. */
  readonly attempt: number;
}

/** What a handler gets to work with: `em` is the transaction in which the timer is marked fired. */
export interface TimerContext {
  readonly em: EntityManager;
}

/** Runs the timers of one kind. */
export interface TimerHandler<Payload = unknown> {
  readonly kind: string;
  /**
   * The timer's effect, written through `context.em` only (append an event with `{ em }`, persist and
   * let the commit flush): it commits together with the timer's `fired_at`, or neither does. A throw
   * is retried with backoff; `ParkTimerError` parks at once. Effects outside the database (a call to
   * another service) are at least once: a crash after them and before the commit runs them again.
   */
  handle(timer: DueTimer<Payload>, context: TimerContext): Promise<void>;
  /** Attempts in all before the timer is parked (default: the worker's). */
  readonly maxAttempts?: number;
  /** Pause before attempt n+1 is `backoffMs[n-1]`, the last repeating (default: the worker's). */
  readonly backoffMs?: readonly number[];
}

export type TimerOutcome = 'fired' | 'retry' | 'parked' | 'skipped';

/** How a service observes its worker (metrics), without the scheduler knowing a metrics library. */
export interface TimerObserver {
  /** After each timer settles; `lagMs` is firing time minus due time, when the timer fired. */
  timerSettled?(kind: string, outcome: TimerOutcome, lagMs: number | undefined): void;
}

export interface TimerWorkerOptions {
  /** The service's ORM: the timer table is in its schema, handlers run on its connections. */
  readonly orm: MikroORM;
  readonly handlers: readonly TimerHandler<never>[];
  /** Default the ORM's schema. */
  readonly schema?: string;
  /** Names this worker in `locked_by` and logs; default a random one. */
  readonly workerId?: string;
  /** Timers claimed per round (default 50). */
  readonly batchSize?: number;
  /** Transactions firing timers at once, each on its own connection (default 4; keep it below the pool size). */
  readonly concurrency?: number;
  /**
   * Timers fired in one transaction (default 1). More saves a commit and two statements per timer when
   * many are due at once (100,000 expiries in one minute), but the transaction stays open for all their
   * handlers (the relay reads only below the oldest open transaction, ADR 0002), and a failure in a
   * group replays the group one timer at a time.
   */
  readonly timersPerTransaction?: number;
  /** Longest sleep between rounds when nothing is due sooner (default 1 s). */
  readonly pollIntervalMs?: number;
  /** How long a claim keeps other workers off a timer before they may take it (default 60 s). */
  readonly leaseMs?: number;
  /** A handler still running after this is failed and its transaction ended (default 30 s). */
  readonly handlerTimeoutMs?: number;
  /** Attempts in all before a timer is parked (default 10). */
  readonly maxAttempts?: number;
  /** Pauses between attempts (default 1 s, 5 s, 30 s, 2 min, then every 10 min). */
  readonly backoffMs?: readonly number[];
  /** Fired timers are deleted this long after they fired (default 30 days; 0 keeps them). */
  readonly retainFiredMs?: number;
  readonly observer?: TimerObserver;
}

/** What this worker did since it started. */
export interface TimerWorkerStats {
  readonly running: boolean;
  readonly inFlight: number;
  readonly claimed: number;
  readonly fired: number;
  readonly retried: number;
  readonly parked: number;
  /** Claimed, then found fired, cancelled, moved later or being fired by another worker. */
  readonly skipped: number;
  /** Firing time minus due time of the last fired timer, and the largest seen. */
  readonly lastLagMs: number | undefined;
  readonly maxLagMs: number;
  readonly lastError: string | undefined;
}

/** The table's pending work, read from the database (every worker's, for this worker's kinds). */
export interface TimerBacklog {
  /** Pending and due now (waiting for a worker, a retry or a lease to pass). */
  readonly due: number;
  /** Pending and due later. */
  readonly scheduled: number;
  readonly parked: number;
  /** How late the oldest due timer is, or null when none is due. */
  readonly oldestDueLagMs: number | null;
}

interface ClaimedRow {
  id: string;
  kind: string;
  due_at: string;
}

/** A claimed timer and the token of its claim (`locked_by`), which only this claim's owner may clear. */
type Claimed = ClaimedRow & { readonly token: string };

interface MarkedRow {
  kind: string;
  key: string;
  due_at: string;
  payload: unknown;
  attempts: number;
  lag_ms: number;
  pid: number;
}

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000];
const PURGE_EVERY_MS = 10 * 60_000;
const PURGE_BATCH = 1_000;
/** Pause after a round failed (the database away), doubled up to the cap while it keeps failing. */
const MAX_FAILURE_PAUSE_MS = 30_000;
/** Added to the wait for the next due timer: a timer is claimed only once the database's clock passed it. */
const WAKE_MARGIN_MS = 2;

/**
 * Runs the handlers of a MikroORM context outside whatever transaction the caller of `start` was in
 * (as the consumers do): the worker's forks must never join a caller's transaction.
 */
const outsideAnyTransaction = AsyncLocalStorage.snapshot();

const logger = new Logger('TimerWorker');

/**
 * Fires the due timers of its kinds, each exactly once across every worker on the database:
 * 1. a round claims up to `batchSize` due timers (`FOR UPDATE SKIP LOCKED`, a lease in `locked_until`),
 *    so replicas share the work instead of queueing on the same rows;
 * 2. each claimed timer runs in a transaction of its own (or with a few others, `timersPerTransaction`)
 *    that first marks it fired, under its row lock and only if it is still pending and due, then runs
 *    the handler through that transaction. Effects and the mark commit together; another worker that
 *    took the timer meanwhile (its lease passed) waits for that lock, finds it fired and skips it, so
 *    the lease decides only who tries, never who fires;
 * 3. a failure rolls both back and records the attempt with a backoff, or parks the timer after the
 *    last one; a worker that dies leaves the claim to expire and its transaction to be rolled back by
 *    PostgreSQL (the session also ends itself when left idle in the transaction past the handler timeout).
 *
 * Between rounds it sleeps until the next timer is due, at most `pollIntervalMs`.
 */
export class TimerWorker {
  readonly workerId: string;
  private readonly orm: MikroORM;
  private readonly table: string;
  private readonly handlers: ReadonlyMap<string, TimerHandler<unknown>>;
  private readonly kinds: readonly string[];
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly timersPerTransaction: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: readonly number[];
  private readonly retainFiredMs: number;
  private readonly observer: TimerObserver | undefined;
  private readonly sleeper = new Sleeper();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private claims = 0;
  private lastPurgeAt = 0;
  private counters = { claimed: 0, fired: 0, retried: 0, parked: 0, skipped: 0, inFlight: 0, maxLagMs: 0 };
  private lastLagMs: number | undefined;
  private lastError: string | undefined;

  constructor(options: TimerWorkerOptions) {
    this.orm = options.orm;
    this.table = timerTableOf(options.orm.em, options.schema);
    this.workerId = options.workerId ?? randomUUID();
    const handlers = new Map<string, TimerHandler<unknown>>();
    for (const handler of options.handlers as readonly TimerHandler<unknown>[]) {
      if (handlers.has(handler.kind)) throw new InvalidTimerWorkerError(`two handlers for the timer kind ${handler.kind}`);
      handlers.set(handler.kind, handler);
    }
    if (handlers.size === 0) throw new InvalidTimerWorkerError('a timer worker needs at least one handler');
    this.handlers = handlers;
    this.kinds = [...handlers.keys()];
    this.batchSize = positive('batchSize', options.batchSize ?? 50);
    this.concurrency = positive('concurrency', options.concurrency ?? 4);
    this.timersPerTransaction = positive('timersPerTransaction', options.timersPerTransaction ?? 1);
    this.pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 1_000);
    this.leaseMs = positive('leaseMs', options.leaseMs ?? 60_000);
    this.handlerTimeoutMs = positive('handlerTimeoutMs', options.handlerTimeoutMs ?? 30_000);
    this.maxAttempts = positive('maxAttempts', options.maxAttempts ?? 10);
    this.backoffMs = options.backoffMs?.length ? options.backoffMs : DEFAULT_BACKOFF_MS;
    this.retainFiredMs = options.retainFiredMs ?? 30 * 24 * 3_600_000;
    this.observer = options.observer;
  }

  /** Starts polling; returns at once. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = outsideAnyTransaction(() => this.run());
  }

  /**
   * Stops after the handlers running now settle; timers claimed but not started are handed back at once,
   * so another worker need not wait for their lease.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.loop;
    this.loop = undefined;
  }

  /** Ends the current sleep: a timer may have become due sooner than the worker knew (scheduled in this process). */
  wake(): void {
    this.sleeper.wake();
  }

  stats(): TimerWorkerStats {
    const { inFlight, claimed, fired, retried, parked, skipped, maxLagMs } = this.counters;
    return {
      running: Boolean(this.loop) && !this.stopping,
      inFlight,
      claimed,
      fired,
      retried,
      parked,
      skipped,
      lastLagMs: this.lastLagMs,
      maxLagMs,
      lastError: this.lastError,
    };
  }

  async backlog(): Promise<TimerBacklog> {
    const [row] = await runSql<{ due: string; scheduled: string; parked: string; oldest_due_lag_ms: number | null }>(
      this.orm.em,
      `SELECT
         (SELECT count(*) FROM ${this.table} WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= now() AND kind = ANY($1)) AS due,
         (SELECT count(*) FROM ${this.table} WHERE fired_at IS NULL AND parked_at IS NULL AND due_at > now() AND kind = ANY($1)) AS scheduled,
         (SELECT count(*) FROM ${this.table} WHERE parked_at IS NOT NULL AND kind = ANY($1)) AS parked,
         (SELECT (extract(epoch FROM now() - min(due_at)) * 1000)::float8 FROM ${this.table}
            WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= now() AND kind = ANY($1)) AS oldest_due_lag_ms`,
      [this.kinds],
    );
    return {
      due: Number(row.due),
      scheduled: Number(row.scheduled),
      parked: Number(row.parked),
      oldestDueLagMs: row.oldest_due_lag_ms === null ? null : Number(row.oldest_due_lag_ms),
    };
  }

  private async run(): Promise<void> {
    let failedRounds = 0;
    while (!this.stopping) {
      try {
        await this.purgeWhenDue();
        const claimed = await this.claim();
        if (claimed.length) await this.fireAll(claimed);
        failedRounds = 0;
        if (claimed.length === this.batchSize) continue;
        const untilNextDue = await this.msUntilNextDue();
        await this.sleeper.sleep(Math.min(this.pollIntervalMs, untilNextDue + WAKE_MARGIN_MS));
      } catch (error) {
        failedRounds++;
        this.lastError = messageOf(error);
        logger.warn(`timer round failed (${failedRounds} in a row): ${this.lastError}`);
        await this.sleeper.sleep(Math.min(this.pollIntervalMs * 2 ** Math.min(failedRounds, 10), MAX_FAILURE_PAUSE_MS));
      }
    }
  }

  private async claim(): Promise<Claimed[]> {
    const token = `${this.workerId}/${++this.claims}`;
    const rows = await runSql<ClaimedRow>(
      this.orm.em,
      `UPDATE ${this.table} SET locked_until = now() + $3 * interval '1 millisecond', locked_by = $2, updated_at = now()
       WHERE id IN (
         SELECT id FROM ${this.table}
         WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= now() AND kind = ANY($1)
           AND (locked_until IS NULL OR locked_until <= now())
         ORDER BY due_at
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, ${isoTimestamp('due_at')}`,
      [this.kinds, token, this.leaseMs, this.batchSize],
    );
    this.counters.claimed += rows.length;
    return rows.sort((a, b) => a.due_at.localeCompare(b.due_at)).map((row) => ({ ...row, token }));
  }

  /**
   * Fires the claimed timers in due order, `concurrency` transactions at a time, each taking up to
   * `timersPerTransaction` of them; hands back the rest when stopping.
   */
  private async fireAll(claimed: readonly Claimed[]): Promise<void> {
    const queue = [...claimed];
    const lane = async () => {
      while (!this.stopping && queue.length) await this.fire(queue.splice(0, this.timersPerTransaction));
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, Math.ceil(queue.length / this.timersPerTransaction)) }, lane));
    if (queue.length) await this.release(queue);
  }

  /**
   * Fires `group` in one transaction: marks the timers still pending and due, runs their handlers one
   * after the other through it, commits. When a group of several fails, nothing of it committed: its
   * timers are fired again one per transaction, so only the failing one spends an attempt.
   */
  private async fire(group: readonly Claimed[]): Promise<void> {
    this.counters.inFlight += group.length;
    const em = this.orm.em.fork();
    let marked: (MarkedRow & { id: string })[] = [];
    let firing: { timer: DueTimer; handler: TimerHandler<unknown> } | undefined;
    try {
      await em.begin();
      // Locks and marks in one statement, waiting for the row locks rather than skipping them: another
      // worker's claim round holds the rows it passed over until it ends (a moment), and a worker firing
      // one on a stale claim commits or fails it, after which the timer is seen fired or pending. Locked
      // in id order, so two marks never deadlock.
      marked = await runSql<MarkedRow & { id: string }>(
        em,
        `UPDATE ${this.table} SET fired_at = now(), locked_until = NULL, locked_by = NULL, updated_at = now()
         WHERE id IN (
           SELECT id FROM ${this.table}
           WHERE id = ANY($1::uuid[]) AND fired_at IS NULL AND parked_at IS NULL AND due_at <= now()
           ORDER BY id
           FOR UPDATE)
         RETURNING id, kind, key, ${isoTimestamp('due_at')}, payload, attempts,
           (extract(epoch FROM now() - due_at) * 1000)::float8 AS lag_ms, pg_backend_pid() AS pid,
           -- A worker that vanishes mid-handler (a frozen host) would hold the row locks for as long as the
           -- server keeps its session; idle this long in the transaction, the server ends it.
           set_config('idle_in_transaction_session_timeout', $2, true) AS idle_timeout`,
        // A little after the worker's own timeout, which ends the session itself when the worker is alive.
        [group.map((c) => c.id), String(this.handlerTimeoutMs + 1_000)],
      );
      const markedIds = new Set(marked.map((m) => m.id));
      for (const claimed of group) if (!markedIds.has(claimed.id)) this.settle(claimed.kind, 'skipped', undefined);
      if (marked.length === 0) {
        await em.rollback();
        return;
      }
      marked.sort((a, b) => a.due_at.localeCompare(b.due_at));
      for (const row of marked) {
        const timer: DueTimer = { id: row.id, kind: row.kind, key: row.key, dueAt: new Date(row.due_at), payload: row.payload, attempt: row.attempts + 1 };
        firing = { timer, handler: this.handlers.get(row.kind)! };
        await withLogContext({ subject: `timer.${timer.kind}`, correlationId: timer.id }, () =>
          withTimeout(firing!.handler.handle(timer, { em }), this.handlerTimeoutMs, () => new TimerHandlerTimeoutError(timer.kind, this.handlerTimeoutMs)),
        );
      }
      firing = undefined;
      await em.commit();
      for (const row of marked) {
        const lagMs = Number(row.lag_ms);
        this.lastLagMs = lagMs;
        this.counters.maxLagMs = Math.max(this.counters.maxLagMs, lagMs);
        this.settle(row.kind, 'fired', lagMs);
      }
    } catch (error) {
      if (error instanceof TimerHandlerTimeoutError && marked.length) {
        // The handler may still be running and may still write through `em`: end its session rather than
        // roll back, so those late writes fail instead of running outside any transaction.
        await this.terminateBackend(marked[0].pid);
      } else {
        await em.rollback().catch(() => undefined);
      }
      if (group.length === 1) {
        await this.recordFailure(group[0], this.handlers.get(group[0].kind)!, marked[0]?.attempts, error);
      } else {
        if (firing)
          logger.warn(`timer ${firing.timer.kind} ${firing.timer.key} failed in a group of ${group.length}, fired again one by one: ${messageOf(error)}`);
        const again = marked.length ? group.filter((c) => marked.some((m) => m.id === c.id)) : group;
        this.counters.inFlight -= group.length;
        try {
          for (const claimed of again) await this.fire([claimed]);
        } finally {
          this.counters.inFlight += group.length;
        }
      }
    } finally {
      this.counters.inFlight -= group.length;
    }
  }

  /**
   * Counts the failed attempt: back off, or park after the last. Only while the claim is still this
   * worker's: if another worker took the timer meanwhile (or it was rescheduled), it is theirs to report.
   */
  private async recordFailure(claimed: Claimed, handler: TimerHandler<unknown>, attemptsBefore: number | undefined, error: unknown): Promise<void> {
    const reason = messageOf(error);
    this.lastError = reason;
    try {
      if (attemptsBefore === undefined || isInfrastructureFailure(error)) {
        // The database failed us, not the handler: no attempt spent, the timer is tried again soon.
        const [released] = await runSql<{ id: string }>(
          this.orm.em,
          `UPDATE ${this.table} SET locked_until = now() + $3 * interval '1 millisecond', locked_by = NULL, updated_at = now()
           WHERE id = $1 AND locked_by = $2 AND fired_at IS NULL
           RETURNING id`,
          [claimed.id, claimed.token, this.pollIntervalMs],
        );
        if (!released) return;
        logger.warn(`timer ${claimed.kind} ${claimed.id} not fired, the database failed: ${reason}`);
        this.settle(claimed.kind, 'retry', undefined);
        return;
      }
      const attempt = attemptsBefore + 1;
      const park = error instanceof ParkTimerError || attempt >= (handler.maxAttempts ?? this.maxAttempts);
      const backoff = handler.backoffMs?.length ? handler.backoffMs : this.backoffMs;
      const pauseMs = backoff[Math.min(attempt, backoff.length) - 1];
      const [row] = await runSql<{ key: string }>(
        this.orm.em,
        `UPDATE ${this.table} SET attempts = $3, last_error = $4, locked_by = NULL, updated_at = now(),
           locked_until = CASE WHEN $5 THEN NULL ELSE now() + $6 * interval '1 millisecond' END,
           parked_at = CASE WHEN $5 THEN now() END
         WHERE id = $1 AND locked_by = $2 AND fired_at IS NULL AND parked_at IS NULL
         RETURNING key`,
        [claimed.id, claimed.token, attempt, reason, park, pauseMs],
      );
      if (!row) return;
      if (park) logger.error(`timer ${claimed.kind} ${row.key} parked after attempt ${attempt}: ${reason}`);
      else logger.warn(`timer ${claimed.kind} ${row.key} failed (attempt ${attempt}), retried in ${pauseMs} ms: ${reason}`);
      this.settle(claimed.kind, park ? 'parked' : 'retry', undefined);
    } catch (recordError) {
      // The claim then simply expires, and the timer is tried again by whoever claims it next.
      logger.warn(`timer ${claimed.kind} ${claimed.id}: the failure "${reason}" could not be recorded: ${messageOf(recordError)}`);
    }
  }

  /** Hands claimed timers back at once (stopping), instead of leaving them to their lease. */
  private async release(claimed: readonly Claimed[]): Promise<void> {
    await runSql(
      this.orm.em,
      `UPDATE ${this.table} SET locked_until = NULL, locked_by = NULL, updated_at = now()
       WHERE id = ANY($1::uuid[]) AND locked_by = ANY($2::text[]) AND fired_at IS NULL`,
      [claimed.map((c) => c.id), [...new Set(claimed.map((c) => c.token))]],
    ).catch((error: unknown) => logger.warn(`claimed timers not handed back (their lease will expire): ${messageOf(error)}`));
  }

  private async terminateBackend(pid: number): Promise<void> {
    await runSql(this.orm.em, 'SELECT pg_terminate_backend($1)', [pid]).catch((error: unknown) =>
      logger.warn(`the session of a timed-out handler could not be ended: ${messageOf(error)}`),
    );
  }

  /** Milliseconds until a pending timer becomes claimable: the next due time, or a retry's or a lease's end. */
  private async msUntilNextDue(): Promise<number> {
    const [row] = await runSql<{ ms: number | null }>(
      this.orm.em,
      `SELECT ceil(extract(epoch FROM least(
           (SELECT min(due_at) FROM ${this.table} WHERE fired_at IS NULL AND parked_at IS NULL AND due_at > now() AND kind = ANY($1)),
           (SELECT min(locked_until) FROM ${this.table}
              WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= now() AND locked_until > now() AND kind = ANY($1))
         ) - now()) * 1000)::float8 AS ms`,
      [this.kinds],
    );
    return row.ms === null ? Number.POSITIVE_INFINITY : Math.max(0, Number(row.ms));
  }

  /** Deletes timers fired longer ago than the retention, a batch per interval (every replica may). */
  private async purgeWhenDue(): Promise<void> {
    if (this.retainFiredMs <= 0 || Date.now() - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = Date.now();
    await runSql(
      this.orm.em,
      `DELETE FROM ${this.table} WHERE id IN (
         SELECT id FROM ${this.table} WHERE fired_at < now() - $1 * interval '1 millisecond' AND kind = ANY($2) LIMIT $3)`,
      [this.retainFiredMs, this.kinds, PURGE_BATCH],
    );
  }

  private settle(kind: string, outcome: TimerOutcome, lagMs: number | undefined): void {
    if (outcome === 'fired') this.counters.fired++;
    else if (outcome === 'retry') this.counters.retried++;
    else if (outcome === 'parked') this.counters.parked++;
    else this.counters.skipped++;
    try {
      this.observer?.timerSettled?.(kind, outcome, lagMs);
    } catch (error) {
      logger.warn(`the timer observer threw: ${messageOf(error)}`);
    }
  }
}

/** A sleep that `wake()` ends at once; a wake that comes while awake ends the next sleep at once. */
class Sleeper {
  private pending = false;
  private current: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.current = undefined;
        this.pending = false;
        resolve();
      };
      // setTimeout takes at most 2^31-1 ms; the poll interval bounds the sleep anyway.
      const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
      this.current = done;
    });
  }

  wake(): void {
    this.pending = true;
    this.current?.();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidTimerWorkerError(`${name} must be a positive number, got ${value}`);
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
