import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { AppendNotifications, appendChannelOf, type AppendNotificationsOptions, type AppendSubscription } from './append-notifications.js';
import { InvalidAppendError, WrongExpectedVersionError } from './errors.js';
import { START, type Checkpoint, type DomainEvent, type EventContext, type ExpectedVersion, type RecordedEvent, type StorePosition } from './event.js';
import { runSql } from './sql.js';
import { EventVersioning } from './upcasting.js';

export interface PostgresEventStoreOptions {
  /** The service's schema; the store's tables live there (see `eventStoreMigrations`). */
  readonly schema: string;
  readonly versioning?: EventVersioning;
  /** Event id factory; tests pass a deterministic one. */
  readonly generateId?: () => string;
  readonly hooks?: EventStoreHooks;
}

/**
 * How the service around the store observes it, without the store knowing of tracing or metrics
 * libraries (service-kit supplies them).
 */
export interface EventStoreHooks {
  /** The W3C `traceparent` of the work appending now, stored with its events. */
  traceParent?(): string | undefined;
  /** Called after each append with the events written (they may still roll back with the caller's transaction). */
  appended?(events: readonly RecordedEvent[]): void;
}

export interface AppendResult<E extends DomainEvent> {
  /** The stream's version after the append: pass it as the next expected version. */
  readonly nextExpectedVersion: number;
  readonly events: readonly RecordedEvent<E>[];
}

/** An append made through this store instance, as `onAppended` tells it. */
export interface AppendedNotice {
  /** The appending transaction's id (what its commit notification carries, see `listenForAppends`). */
  readonly transactionId: string;
  /** True when the append was its own transaction, committed by the time it returned. */
  readonly committed: boolean;
}

export interface ReadAllResult {
  readonly events: readonly RecordedEvent[];
  /** Where the next read continues; unchanged when nothing was read. */
  readonly checkpoint: Checkpoint;
  /**
   * The first committed event after the page, when there is one: `heldBack` when an older transaction
   * still open on the server keeps it from being read yet (as `firstUnread` would find it), otherwise it
   * is simply past the page's limit. Read in the same statement, so a reader needs no second query to
   * know whether it caught up.
   */
  readonly following?: { readonly recordedAt: Date; readonly heldBack: boolean };
}

/** Runs the store's SQL inside the caller's transaction when there is one. */
export interface StoreCallOptions {
  readonly em?: EntityManager;
}

interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_position: number;
  type: string;
  schema_version: number;
  bot_id: string;
  correlation_id: string;
  causation_id: string | null;
  actor_kind: string;
  actor_id: string;
  occurred_at: string;
  recorded_at: string;
  data: Record<string, unknown>;
  trace_parent: string | null;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const DIGITS = /^\d+$/;
/** Seed of the checkpoints' advisory lock keys: `lockStream` hashes with 0, so the two never share a key. */
const CHECKPOINT_LOCK_SEED = 1;
const MAX_BATCH = 10_000;
const UNIQUE_VIOLATION = '23505';
const ANY_VERSION_ATTEMPTS = 20;

/**
 * An append-only event store on PostgreSQL, reached through the service's MikroORM connection.
 *
 * Every append is one SQL statement: the version check and the insert of all events happen in one
 * implicit transaction (or inside the caller's), so a batch is written whole or not at all, and two
 * writers racing for the same version are separated by the `(stream_id, stream_position)` key.
 */
export class PostgresEventStore {
  private readonly schemaName: string;
  private readonly table: string;
  private readonly checkpoints: string;
  private readonly versioning: EventVersioning;
  private readonly generateId: () => string;
  private readonly appendListeners = new Set<(append: AppendedNotice) => void>();
  private readonly hooks: EventStoreHooks | undefined;

  constructor(
    private readonly em: EntityManager,
    options: PostgresEventStoreOptions,
  ) {
    if (!IDENTIFIER.test(options.schema)) throw new InvalidAppendError(`invalid schema name: ${options.schema}`);
    this.schemaName = options.schema;
    this.table = `"${options.schema}".event_store_events`;
    this.checkpoints = `"${options.schema}".event_store_checkpoints`;
    this.versioning = options.versioning ?? new EventVersioning();
    this.generateId = options.generateId ?? randomUUID;
    this.hooks = options.hooks;
  }

  /**
   * Appends events to a stream if it is at `expectedVersion`; throws `WrongExpectedVersionError`
   * otherwise, having written nothing.
   */
  async append<E extends DomainEvent>(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly E[],
    context: EventContext,
    options: StoreCallOptions = {},
  ): Promise<AppendResult<E>> {
    this.validateAppend(streamId, events, context);
    const expected = expectedVersion === 'any' ? null : expectedVersion === 'no_stream' ? 0 : expectedVersion;
    const ids = events.map(() => this.generateId());
    const sql = `WITH current_version AS (
         SELECT coalesce(max(stream_position), 0) AS version FROM ${this.table} WHERE stream_id = $1
       ), new_events AS (
         SELECT * FROM unnest($2::uuid[], $3::text[], $4::integer[], $5::jsonb[])
           WITH ORDINALITY AS e(event_id, type, schema_version, data, ordinal)
       )
       INSERT INTO ${this.table} (event_id, stream_id, stream_position, type, schema_version, bot_id,
         correlation_id, causation_id, actor_kind, actor_id, occurred_at, data, trace_parent)
       SELECT e.event_id, $1, c.version + e.ordinal, e.type, e.schema_version, $6, $7, $8, $9, $10, $11, e.data, $13
       FROM new_events e CROSS JOIN current_version c
       WHERE $12::integer IS NULL OR c.version = $12::integer
       ORDER BY e.ordinal
       RETURNING global_position::text, transaction_id::text, event_id, stream_id, stream_position, type,
         schema_version, bot_id, correlation_id, causation_id, actor_kind, actor_id, ${ISO_TIMESTAMPS}, data, trace_parent`;
    const parameters = [
      streamId,
      ids,
      events.map((e) => e.type),
      events.map((e) => this.versioning.currentVersion(e.type)),
      events.map((e) => JSON.stringify(e.data)),
      context.botId,
      context.correlationId,
      context.causationId,
      context.actor.kind,
      context.actor.id,
      context.occurredAt,
      expected,
      this.hooks?.traceParent?.() ?? null,
    ];
    let rows: EventRow[];
    for (let attempt = 1; ; attempt++) {
      try {
        rows = await this.query<EventRow>(sql, parameters, { ...options, statement: 'append' });
        break;
      } catch (error) {
        if (!isUniqueViolationOn(error, 'event_store_events_stream_position_key')) throw error;
        // `any` asked for no concurrency check: losing the race for a position just means trying the
        // next one. Inside a caller's transaction the failed statement aborted it, so report instead.
        const inCallersTransaction = Boolean(options.em?.getTransactionContext());
        if (expected === null && !inCallersTransaction && attempt < ANY_VERSION_ATTEMPTS) continue;
        // An aborted transaction answers no more queries: the caller retries the whole transaction anyway.
        const actual = inCallersTransaction ? undefined : await this.streamVersion(streamId, options);
        throw new WrongExpectedVersionError(streamId, expected ?? -1, actual);
      }
    }
    if (rows.length !== events.length) {
      throw new WrongExpectedVersionError(streamId, expected ?? -1, await this.streamVersion(streamId, options));
    }
    this.notifyAppended(rows[0].transaction_id, options);
    const recorded = rows.map((row) => this.toRecordedEvent<E>(row));
    this.hooks?.appended?.(recorded);
    return { nextExpectedVersion: rows[rows.length - 1].stream_position, events: recorded };
  }

  /**
   * Appends to several streams in one statement, each checked against its own expected version (as
   * `append` would): all are written or none, and a stream not at its version fails the whole statement
   * with `WrongExpectedVersionError`, having written nothing (an `any` stream that loses a race for a
   * position fails it too, rather than trying the next one). One context for all (one request's events).
   * A command spanning streams (a new user's identity and membership) then pays one round trip to append.
   */
  async appendStreams<E extends DomainEvent>(
    streams: readonly { readonly streamId: string; readonly expectedVersion: ExpectedVersion; readonly events: readonly E[] }[],
    context: EventContext,
    options: StoreCallOptions = {},
  ): Promise<RecordedEvent<E>[]> {
    if (streams.length === 0) return [];
    const seen = new Set<string>();
    const byColumn: unknown[][] = [[], [], [], [], [], [], []];
    for (const { streamId, expectedVersion, events } of streams) {
      this.validateAppend(streamId, events, context);
      if (seen.has(streamId)) throw new InvalidAppendError(`stream ${streamId} given twice`);
      seen.add(streamId);
      const expected = expectedVersion === 'any' ? null : expectedVersion === 'no_stream' ? 0 : expectedVersion;
      events.forEach((event, index) => {
        const values = [streamId, this.generateId(), event.type, this.versioning.currentVersion(event.type), JSON.stringify(event.data), expected, index + 1];
        for (const [column, value] of values.entries()) byColumn[column].push(value);
      });
    }
    if (byColumn[0].length > MAX_BATCH) throw new InvalidAppendError(`at most ${MAX_BATCH} events per append`);
    // Every stream's version is read first; the insert writes rows only when each stream is where its
    // writer expected it (an 'any' stream always is), so a conflict on one stream writes nothing at all.
    const sql = `WITH new_events AS (
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::integer[], $5::jsonb[], $6::integer[], $7::integer[])
           WITH ORDINALITY AS e(stream_id, event_id, type, schema_version, data, expected, position_in_batch, ordinal)
       ), current_versions AS (
         SELECT s.stream_id, s.expected,
           (SELECT coalesce(max(t.stream_position), 0) FROM ${this.table} t WHERE t.stream_id = s.stream_id) AS version
         FROM (SELECT DISTINCT stream_id, expected FROM new_events) s
       )
       INSERT INTO ${this.table} (event_id, stream_id, stream_position, type, schema_version, bot_id,
         correlation_id, causation_id, actor_kind, actor_id, occurred_at, data, trace_parent)
       SELECT e.event_id, e.stream_id, c.version + e.position_in_batch, e.type, e.schema_version, $8, $9, $10, $11, $12, $13, e.data, $14
       FROM new_events e JOIN current_versions c ON c.stream_id = e.stream_id
       WHERE NOT EXISTS (SELECT 1 FROM current_versions x WHERE x.expected IS NOT NULL AND x.version <> x.expected)
       ORDER BY e.ordinal
       RETURNING global_position::text, transaction_id::text, event_id, stream_id, stream_position, type,
         schema_version, bot_id, correlation_id, causation_id, actor_kind, actor_id, ${ISO_TIMESTAMPS}, data, trace_parent`;
    const parameters = [
      ...byColumn,
      context.botId,
      context.correlationId,
      context.causationId,
      context.actor.kind,
      context.actor.id,
      context.occurredAt,
      this.hooks?.traceParent?.() ?? null,
    ];
    let rows: EventRow[];
    try {
      rows = await this.query<EventRow>(sql, parameters, { ...options, statement: 'append_streams' });
    } catch (error) {
      if (!isUniqueViolationOn(error, 'event_store_events_stream_position_key')) throw error;
      // A writer racing us committed between our read of the version and our insert.
      const stream = /\(stream_id, stream_position\)=\((.*), \d+\)/.exec(describeDetail(error))?.[1] ?? streams[0].streamId;
      throw new WrongExpectedVersionError(stream, -1, undefined);
    }
    if (rows.length !== byColumn[0].length) {
      // Nothing was written (the statement failed no row, so a caller's transaction is still usable):
      // name a stream that was not where its writer expected it.
      for (const { streamId, expectedVersion } of streams) {
        if (expectedVersion === 'any') continue;
        const expected = expectedVersion === 'no_stream' ? 0 : expectedVersion;
        const actual = await this.streamVersion(streamId, options);
        if (actual !== expected) throw new WrongExpectedVersionError(streamId, expected, actual);
      }
      throw new WrongExpectedVersionError(streams[0].streamId, -1, undefined);
    }
    this.notifyAppended(rows[0].transaction_id, options);
    const recorded = rows.map((row) => this.toRecordedEvent<E>(row));
    this.hooks?.appended?.(recorded);
    return recorded;
  }

  /**
   * Starts several new streams in one statement (each as `append(streamId, 'no_stream', events, context)`
   * would): all are written or none. A stream that already exists fails the whole statement with
   * `WrongExpectedVersionError` (inside a caller's transaction, that transaction is then aborted, as any
   * failed append leaves it). A sender of many one-event streams (a broadcast's messages, the gateway's
   * delivery outcomes) pays one round trip for a run of them instead of one each.
   */
  async appendToNewStreams<E extends DomainEvent>(
    streams: readonly { readonly streamId: string; readonly events: readonly E[]; readonly context: EventContext }[],
    options: StoreCallOptions = {},
  ): Promise<RecordedEvent<E>[]> {
    if (streams.length === 0) return [];
    const seen = new Set<string>();
    const byColumn: unknown[][] = [[], [], [], [], [], [], [], [], [], [], [], [], []];
    const traceParent = this.hooks?.traceParent?.() ?? null;
    for (const { streamId, events, context } of streams) {
      this.validateAppend(streamId, events, context);
      if (seen.has(streamId)) throw new InvalidAppendError(`stream ${streamId} given twice`);
      seen.add(streamId);
      events.forEach((event, index) => {
        const values = [
          this.generateId(),
          streamId,
          index + 1,
          event.type,
          this.versioning.currentVersion(event.type),
          context.botId,
          context.correlationId,
          context.causationId,
          context.actor.kind,
          context.actor.id,
          context.occurredAt.toISOString(),
          JSON.stringify(event.data),
          traceParent,
        ];
        for (const [column, value] of values.entries()) byColumn[column].push(value);
      });
    }
    if (byColumn[0].length > MAX_BATCH) throw new InvalidAppendError(`at most ${MAX_BATCH} events per append`);
    const sql = `INSERT INTO ${this.table} (event_id, stream_id, stream_position, type, schema_version, bot_id,
         correlation_id, causation_id, actor_kind, actor_id, occurred_at, data, trace_parent)
       SELECT e.event_id, e.stream_id, e.stream_position, e.type, e.schema_version, e.bot_id, e.correlation_id, e.causation_id,
         e.actor_kind, e.actor_id, e.occurred_at, e.data, e.trace_parent
       FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::text[],
         $10::text[], $11::timestamptz[], $12::jsonb[], $13::text[]) WITH ORDINALITY
         AS e(event_id, stream_id, stream_position, type, schema_version, bot_id, correlation_id, causation_id, actor_kind, actor_id,
           occurred_at, data, trace_parent, ordinal)
       ORDER BY e.ordinal
       RETURNING global_position::text, transaction_id::text, event_id, stream_id, stream_position, type,
         schema_version, bot_id, correlation_id, causation_id, actor_kind, actor_id, ${ISO_TIMESTAMPS}, data, trace_parent`;
    let rows: EventRow[];
    try {
      rows = await this.query<EventRow>(sql, byColumn, { ...options, statement: 'append_new_streams' });
    } catch (error) {
      if (!isUniqueViolationOn(error, 'event_store_events_stream_position_key')) throw error;
      const stream = /\(stream_id, stream_position\)=\((.*), \d+\)/.exec(describeDetail(error))?.[1] ?? streams[0].streamId;
      throw new WrongExpectedVersionError(stream, 0, undefined);
    }
    this.notifyAppended(rows[0].transaction_id, options);
    const recorded = rows.map((row) => this.toRecordedEvent<E>(row));
    this.hooks?.appended?.(recorded);
    return recorded;
  }

  /** The stream's events from `fromVersion` (exclusive, default 0 = all), upcast. */
  async readStream<E extends DomainEvent>(
    streamId: string,
    { fromVersion = 0, em }: { fromVersion?: number } & StoreCallOptions = {},
  ): Promise<{ version: number; events: RecordedEvent<E>[] }> {
    const rows = await this.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM ${this.table}
       WHERE stream_id = $1 AND stream_position > $2 ORDER BY stream_position`,
      [streamId, fromVersion],
      { em, statement: 'read_stream' },
    );
    const events = rows.map((row) => this.toRecordedEvent<E>(row));
    return { version: events.length ? events[events.length - 1].metadata.streamPosition : fromVersion, events };
  }

  /**
   * Several whole streams in one statement (each as `readStream` would return it, an unknown stream as
   * version 0 and no events): a command spanning streams pays one round trip to read them, not one each.
   */
  async readStreams<E extends DomainEvent>(
    streamIds: readonly string[],
    options: StoreCallOptions = {},
  ): Promise<Map<string, { version: number; events: RecordedEvent<E>[] }>> {
    const rows = await this.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_position`,
      [streamIds],
      { ...options, statement: 'read_streams' },
    );
    const streams = new Map(streamIds.map((id) => [id, { version: 0, events: [] as RecordedEvent<E>[] }]));
    for (const row of rows) {
      const stream = streams.get(row.stream_id)!;
      stream.events.push(this.toRecordedEvent<E>(row));
      stream.version = row.stream_position;
    }
    return streams;
  }

  /** One event by its id, upcast; `undefined` when the store has none. */
  async readEvent<E extends DomainEvent>(eventId: string, options: StoreCallOptions = {}): Promise<RecordedEvent<E> | undefined> {
    const [row] = await this.query<EventRow>(`SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE event_id = $1`, [eventId], options);
    return row && this.toRecordedEvent<E>(row);
  }

  async streamVersion(streamId: string, options: StoreCallOptions = {}): Promise<number> {
    const [row] = await this.query<{ version: number }>(
      `SELECT coalesce(max(stream_position), 0)::integer AS version FROM ${this.table} WHERE stream_id = $1`,
      [streamId],
      options,
    );
    return row.version;
  }

  /**
   * Reads every stream in commit order, after `after`. Only events of transactions older than every
   * transaction still open are returned, so an event that commits late is never jumped over: it is
   * simply returned by a later read.
   */
  async readAll({ after = START, limit = 500 }: { after?: Checkpoint; limit?: number } = {}): Promise<ReadAllResult> {
    const rows = await this.query<ReadAllRow>(
      readAllStatement(this.table, '($1::xid8, $2::bigint)', '$3'),
      [after.transactionId, after.globalPosition, limit + 1],
      {
        statement: 'read_all_and_next',
      },
    );
    return this.toReadAllResult(rows, limit, after);
  }

  /** A page of `readAll` from its rows (one past the page, to say what follows). */
  private toReadAllResult(rows: readonly ReadAllRow[], limit: number, after: Checkpoint): ReadAllResult {
    let readable = 0;
    while (readable < rows.length && readable < limit && rows[readable].readable) readable++;
    const events = rows.slice(0, readable).map((row) => this.toRecordedEvent(row));
    const next = rows[readable];
    const last = events[events.length - 1];
    return {
      events,
      checkpoint: last ? positionOf(last.metadata) : after,
      following: next && { recordedAt: new Date(next.recorded_at), heldBack: !next.readable },
    };
  }

  /**
   * The first event after `after` in commit order that `readAll` may not return yet: committed (this
   * sees only committed rows) but held back because an older transaction is still open somewhere on
   * the server (the xmin horizon), or simply not read yet. `undefined` when there is none. Its
   * `recordedAt` gives the reader's lag.
   */
  async firstUnread(after: Checkpoint = START): Promise<{ recordedAt: Date } | undefined> {
    const [row] = await this.query<{ recorded_at: string }>(
      `SELECT to_json(e.recorded_at) #>> '{}' AS recorded_at FROM ${this.table} e
       WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
       ORDER BY e.transaction_id, e.global_position
       LIMIT 1`,
      [after.transactionId, after.globalPosition],
      { statement: 'first_unread' },
    );
    return row && { recordedAt: new Date(row.recorded_at) };
  }

  async loadCheckpoint(name: string, options: StoreCallOptions & { forUpdate?: boolean } = {}): Promise<Checkpoint> {
    const [row] = await this.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text, global_position::text FROM ${this.checkpoints} WHERE name = $1
       ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [name],
      options,
    );
    return row ? { transactionId: row.transaction_id, globalPosition: row.global_position } : START;
  }

  async saveCheckpoint(name: string, checkpoint: Checkpoint, options: StoreCallOptions = {}): Promise<void> {
    await this.query(
      `INSERT INTO ${this.checkpoints} (name, transaction_id, global_position) VALUES ($1, $2::xid8, $3::bigint)
       ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id,
         global_position = excluded.global_position, updated_at = now()`,
      [name, checkpoint.transactionId, checkpoint.globalPosition],
      options,
    );
  }

  /**
   * Moves a named checkpoint in its turn (a transaction-scoped advisory lock on the schema and name):
   * `work` gets the saved checkpoint and returns the new one (or `undefined` to leave it). Two processes
   * running the same reader take turns instead of both publishing, and the checkpoint moves only if
   * `work` completes, and never backwards. No transaction id is held while `work` runs. With
   * `readPage`, `work` also gets the page of `readAll` after the saved checkpoint (at most `readPage`
   * events), read in the same round trip as the lock: a reader woken by an append saves one.
   */
  async advanceCheckpoint(
    name: string,
    work: (checkpoint: Checkpoint, page?: ReadAllResult) => Promise<Checkpoint | undefined>,
    { readPage }: { readPage?: number } = {},
  ): Promise<Checkpoint> {
    // On a pool connection of its own rather than through the ORM's transaction: BEGIN goes with the
    // lock and the new checkpoint with COMMIT, each as one simple query, so a round costs two round
    // trips instead of four (a relay runs one per event at low rates: they are its latency). With
    // `readPage`, the page after the saved checkpoint (as `readAll` reads it) goes with them too.
    //
    // The turn is an advisory lock, not the row's lock: a row lock takes a transaction id, and while
    // `work` publishes, that id would hold back every reader on the server (ADR 0002), the relay's own
    // next events included. This transaction takes its id only with the UPDATE, sent with its COMMIT.
    if (readPage !== undefined && !(Number.isInteger(readPage) && readPage > 0)) throw new InvalidAppendError(`invalid page size ${readPage}`);
    const pool = (await this.em.getConnection().getNativeClient()) as pg.Pool;
    const client = await pool.connect();
    const literalName = client.escapeLiteral(name);
    const savedCheckpoint = `SELECT transaction_id::text, global_position::text FROM ${this.checkpoints} WHERE name = ${literalName}`;
    type CheckpointRow = { transaction_id: string; global_position: string };
    let released = false;
    try {
      // READ COMMITTED: the SELECTs after the lock see what the previous holder committed.
      const turn = client.escapeLiteral(`${this.schemaName}:${name}`);
      const pageAfterSaved =
        readPage === undefined
          ? ''
          : `; ${readAllStatement(this.table, `(SELECT c.transaction_id, c.global_position FROM ${this.checkpoints} c WHERE c.name = ${literalName})`, String(readPage + 1))}`;
      // Several statements in one query answer one result each: BEGIN, the lock, the checkpoint, the page.
      const results = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(${turn}, ${CHECKPOINT_LOCK_SEED})); ${savedCheckpoint}${pageAfterSaved}`,
      )) as unknown as pg.QueryResult[];
      let row = (results[2] as pg.QueryResult<CheckpointRow>).rows[0];
      if (!row) {
        // The first round only (it takes a transaction id early, once).
        await client.query(`INSERT INTO ${this.checkpoints} (name, transaction_id, global_position) VALUES ($1, '0', 0) ON CONFLICT (name) DO NOTHING`, [name]);
        row = (await client.query<CheckpointRow>(savedCheckpoint)).rows[0];
      }
      const current: Checkpoint = { transactionId: row.transaction_id, globalPosition: row.global_position };
      const page =
        readPage === undefined
          ? undefined
          : results[2].rows.length > 0
            ? this.toReadAllResult(results[3].rows as ReadAllRow[], readPage, current)
            : await this.readAll({ after: current, limit: readPage });
      const next = await work(current, page);
      if (!next) {
        await client.query('COMMIT');
        return current;
      }
      if (!DIGITS.test(next.transactionId) || !DIGITS.test(next.globalPosition)) throw new InvalidAppendError(`invalid checkpoint ${JSON.stringify(next)}`);
      // Never backwards, whoever else writes the row (a relay of an older version, during a deploy,
      // takes the row lock, not this turn).
      await client.query(
        `UPDATE ${this.checkpoints} SET transaction_id = '${next.transactionId}'::xid8, global_position = ${next.globalPosition}, updated_at = now()
         WHERE name = ${literalName} AND (transaction_id, global_position) < ('${next.transactionId}'::xid8, ${next.globalPosition}); COMMIT`,
      );
      return next;
    } catch (error) {
      // A failed ROLLBACK (the connection is gone) discards the connection instead of pooling it.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        released = true;
        client.release(rollbackError instanceof Error ? rollbackError : true);
      });
      throw error;
    } finally {
      if (!released) client.release();
    }
  }

  /**
   * Runs `work` in one transaction on a fresh entity manager (or inside `em`'s transaction when given):
   * what a command decides, appends and projects commits together or not at all.
   */
  transaction<T>(work: (em: EntityManager) => Promise<T>, { em }: StoreCallOptions = {}): Promise<T> {
    return (em ?? this.em.fork()).transactional(work);
  }

  /**
   * Holds a transaction-scoped lock on one stream until `em`'s transaction ends, so writers of a hot
   * stream (a quota counter hit by 20 requests at once) queue instead of failing on the version check
   * and retrying. The key includes the schema, so two services' streams never share a lock.
   */
  async lockStream(streamId: string, { em }: Required<StoreCallOptions>): Promise<void> {
    if (!em.getTransactionContext()) throw new InvalidAppendError('lockStream needs a transaction');
    await this.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${this.schemaName}:${streamId}`], {
      em,
      statement: 'lock_stream',
    });
  }

  /**
   * Calls `listener` after each append made through this instance, so in-process readers (the relay,
   * the embedded bus) wake at once instead of waiting for their next poll. Returns the unsubscribe.
   * An append inside a caller's transaction is told before that transaction commits (`committed`
   * false): a reader may find nothing yet, and the commit's notification (`listenForAppends`) follows.
   */
  onAppended(listener: (append: AppendedNotice) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /**
   * LISTENs, on a dedicated connection, for appends to this store from any process (each appending
   * transaction notifies when it commits): a relay in another process than the writers then wakes at
   * once instead of at its next poll. The connection is opened again when lost. A wake-up only: keep
   * polling as the fallback. `onAppend` gets the committed transaction's id, or nothing when it runs
   * for whatever was appended while the connection was being (re)opened.
   */
  async listenForAppends(onAppend: (transactionId?: string) => void, options: AppendNotificationsOptions = {}): Promise<AppendSubscription> {
    const pool = (await this.em.getConnection().getNativeClient()) as pg.Pool & { options: pg.PoolConfig };
    const { max: _max, min: _min, idleTimeoutMillis: _idle, ...config } = pool.options;
    return new AppendNotifications(
      { ...config, application_name: `event-store-listen:${this.schemaName}` },
      appendChannelOf(this.schemaName),
      onAppend,
      options,
    );
  }

  private notifyAppended(transactionId: string, { em }: StoreCallOptions): void {
    const notice: AppendedNotice = { transactionId, committed: !em?.getTransactionContext() };
    for (const listener of this.appendListeners) listener(notice);
  }

  private validateAppend(streamId: string, events: readonly DomainEvent[], context: EventContext): void {
    if (!streamId || streamId.length > 200) throw new InvalidAppendError('stream id must be 1-200 characters');
    if (events.length === 0) throw new InvalidAppendError('nothing to append');
    if (events.length > MAX_BATCH) throw new InvalidAppendError(`at most ${MAX_BATCH} events per append`);
    if (!context.botId) throw new InvalidAppendError('every event needs a bot id (tenant)');
    if (!context.correlationId) throw new InvalidAppendError('every event needs a correlation id');
    if (!(context.occurredAt instanceof Date) || Number.isNaN(context.occurredAt.getTime())) {
      throw new InvalidAppendError('occurredAt must be a valid date');
    }
    for (const event of events) {
      if (!event.type) throw new InvalidAppendError('every event needs a type');
      if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
        throw new InvalidAppendError(`event ${event.type}: data must be a JSON object`);
      }
    }
  }

  private toRecordedEvent<E extends DomainEvent>(row: EventRow): RecordedEvent<E> {
    const schemaVersion = this.versioning.currentVersion(row.type);
    const data = this.versioning.upcast(row.type, row.schema_version, row.data);
    return {
      type: row.type,
      data,
      metadata: {
        eventId: row.event_id,
        streamId: row.stream_id,
        streamPosition: row.stream_position,
        transactionId: row.transaction_id,
        globalPosition: row.global_position,
        storedSchemaVersion: row.schema_version,
        schemaVersion,
        botId: row.bot_id,
        correlationId: row.correlation_id,
        causationId: row.causation_id,
        actor: { kind: row.actor_kind as RecordedEvent['metadata']['actor']['kind'], id: row.actor_id },
        occurredAt: new Date(row.occurred_at),
        recordedAt: new Date(row.recorded_at),
        traceParent: row.trace_parent ?? null,
      },
    } as unknown as RecordedEvent<E>;
  }

  private query<R>(sql: string, parameters: readonly unknown[], options: StoreCallOptions & { statement?: string } = {}): Promise<R[]> {
    const name = options.statement && `event_store_${this.schemaName}_${options.statement}`;
    return runSql<R>(options.em ?? this.em, sql, parameters, { preparedAs: name });
  }
}

// MikroORM's pool leaves timestamps as PostgreSQL text; JSON's ISO 8601 form parses everywhere.
const ISO_TIMESTAMPS = `to_json(occurred_at) #>> '{}' AS occurred_at, to_json(recorded_at) #>> '{}' AS recorded_at`;
const SELECT_COLUMNS = `global_position::text, transaction_id::text, event_id, stream_id, stream_position, type,
  schema_version, bot_id, correlation_id, causation_id, actor_kind, actor_id, ${ISO_TIMESTAMPS}, data, trace_parent`;

type ReadAllRow = EventRow & { readable: boolean };

/**
 * `readAll`'s page after `afterPosition` (an SQL row of transaction id and position), `limit` rows.
 * Qualified with `e.`: the selected text copies share the columns' names, and ORDER BY would sort those
 * as text ("100" before "99") while WHERE compares numbers, skipping events across pages. One row past
 * the page, and no horizon in WHERE: the rows below it (`readable`) are a prefix of this order (it sorts
 * by transaction id first), and the first row after the page says whether the reader caught up or is
 * held back, without another round trip.
 */
function readAllStatement(table: string, afterPosition: string, limit: string): string {
  return `SELECT ${SELECT_COLUMNS}, e.transaction_id < pg_snapshot_xmin(pg_current_snapshot()) AS readable
       FROM ${table} e
       WHERE (e.transaction_id, e.global_position) > ${afterPosition}
       ORDER BY e.transaction_id, e.global_position
       LIMIT ${limit}`;
}

function positionOf(position: StorePosition): Checkpoint {
  return { transactionId: position.transactionId, globalPosition: position.globalPosition };
}

function isUniqueViolationOn(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const candidate = pgError.code ? pgError : pgError.cause;
  return candidate?.code === UNIQUE_VIOLATION && candidate.constraint === constraint;
}

/** PostgreSQL's detail of a failed statement (`Key (…)=(…) already exists.`), or ''. */
function describeDetail(error: unknown): string {
  const pgError = error as { detail?: string; cause?: { detail?: string } };
  return pgError.detail ?? pgError.cause?.detail ?? '';
}
