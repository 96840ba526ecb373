import { PostgresEventStore } from '@botplatform/event-store';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { BENCH_BOT_ID, benchContext, openProducerOrm, registered } from './fixtures.js';
import type { BenchLine } from './report.js';
import { perSecond, runWorkers } from './timing.js';

const STORE_SCHEMA = 'append_store';
const RAW_SCHEMA = 'append_raw';
/** Connections on each side: the most writers any line runs. */
const POOL_SIZE = 8;
/** Each writer spreads its appends over this many streams of its own. */
const STREAMS_PER_WRITER = 10;

interface AppendLine {
  readonly writers: number;
  readonly batchSize: number;
  readonly events: number;
}

const LINES: readonly AppendLine[] = [
  { writers: 1, batchSize: 1, events: 5_000 },
  { writers: 8, batchSize: 1, events: 5_000 },
  { writers: 1, batchSize: 50, events: 50_000 },
  { writers: 8, batchSize: 50, events: 50_000 },
];

/** Appends `batchSize` events to a stream at its tracked version; returns the new version. */
type AppendFn = (streamId: string, version: number, batchSize: number, firstUserId: number) => Promise<number>;

/**
 * Append rate: `PostgresEventStore.append` against a plain INSERT into a table of the same shape
 * (created with `LIKE … INCLUDING ALL`, so columns, defaults, checks, primary key, unique
 * constraints and the commit-order index are the store's own) through a plain `pg.Pool` of the same
 * size. Both sides generate event ids client-side and track each stream's version; only ours checks it.
 */
export async function runAppendBench(databaseUrl: string, log: (line: string) => void): Promise<BenchLine[]> {
  const orm = await openProducerOrm(databaseUrl, STORE_SCHEMA, POOL_SIZE);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  try {
    await createRawTable(pool);
    const store = new PostgresEventStore(orm.em, { schema: STORE_SCHEMA });
    const ours: AppendFn = async (streamId, version, batchSize, firstUserId) => {
      const events = Array.from({ length: batchSize }, (_, i) => registered(firstUserId + i));
      return (await store.append(streamId, version, events, benchContext())).nextExpectedVersion;
    };
    const raw = rawAppend(pool);

    const results: BenchLine[] = [];
    for (const line of LINES) {
      const name = `append, ${line.writers} writer${line.writers > 1 ? 's' : ''}, ${line.batchSize === 1 ? 'single events' : `batches of ${line.batchSize}`}`;
      // Warm-up on streams of its own: JIT, connection setup and plan caches are not what we measure.
      const warmUp = { ...line, events: line.events / 10 };
      await measure(ours, warmUp, 'warm-ours');
      await measure(raw, warmUp, 'warm-raw');
      const oursRate = await measure(ours, line, 'ours');
      const rawRate = await measure(raw, line, 'raw');
      log(`  ${name}: ours ${oursRate.toFixed(0)} ev/s, raw ${rawRate.toFixed(0)} ev/s`);
      results.push({ scenario: 'append', line: name, unit: 'events/s', better: 'higher', ours: oursRate, raw: rawRate });
    }
    return results;
  } finally {
    await pool.end();
    await orm.close(true);
  }
}

/** Runs one line: `events / batchSize` appends shared by `writers` workers, each on its own streams. */
async function measure(append: AppendFn, line: AppendLine, label: string): Promise<number> {
  const appends = line.events / line.batchSize;
  const runId = randomUUID().slice(0, 8);
  const streams = Array.from({ length: line.writers }, (_, w) =>
    Array.from({ length: STREAMS_PER_WRITER }, (_, s) => ({ id: `user-${label}-${runId}-w${w}-s${s}`, version: 0 })),
  );
  const appendsByWriter = new Array<number>(line.writers).fill(0);
  const start = performance.now();
  await runWorkers(line.writers, appends, async (writer, task) => {
    const stream = streams[writer][appendsByWriter[writer]++ % STREAMS_PER_WRITER];
    stream.version = await append(stream.id, stream.version, line.batchSize, task * line.batchSize);
  });
  return perSecond(line.events, performance.now() - start);
}

async function createRawTable(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE SCHEMA ${RAW_SCHEMA}`);
  await pool.query(`CREATE TABLE ${RAW_SCHEMA}.event_store_events (LIKE ${STORE_SCHEMA}.event_store_events INCLUDING ALL)`);
  // LIKE copies the default `nextval` of the store's own sequence; give the raw table its own so the
  // two sides do not share (and contend on) one sequence.
  await pool.query(`CREATE SEQUENCE ${RAW_SCHEMA}.event_store_events_global_position_seq
    OWNED BY ${RAW_SCHEMA}.event_store_events.global_position`);
  await pool.query(`ALTER TABLE ${RAW_SCHEMA}.event_store_events ALTER COLUMN global_position
    SET DEFAULT nextval('${RAW_SCHEMA}.event_store_events_global_position_seq')`);
}

const RAW_COLUMNS = `event_id, stream_id, stream_position, type, schema_version, bot_id, correlation_id, causation_id,
  actor_kind, actor_id, occurred_at, data`;
const RAW_PARAMETERS_PER_ROW = 12;

/** A plain INSERT of the same columns the store writes: one row, or one multi-row VALUES per batch. */
function rawAppend(pool: pg.Pool): AppendFn {
  const sqlByBatchSize = new Map<number, string>();
  const sqlFor = (batchSize: number): string => {
    let sql = sqlByBatchSize.get(batchSize);
    if (!sql) {
      const rows = Array.from({ length: batchSize }, (_, row) => {
        const base = row * RAW_PARAMETERS_PER_ROW;
        return `(${Array.from({ length: RAW_PARAMETERS_PER_ROW }, (_, p) => `$${base + p + 1}`).join(', ')})`;
      });
      sql = `INSERT INTO ${RAW_SCHEMA}.event_store_events (${RAW_COLUMNS}) VALUES ${rows.join(', ')}`;
      sqlByBatchSize.set(batchSize, sql);
    }
    return sql;
  };
  return async (streamId, version, batchSize, firstUserId) => {
    const context = benchContext();
    const parameters: unknown[] = [];
    for (let i = 0; i < batchSize; i++) {
      const event = registered(firstUserId + i);
      parameters.push(
        randomUUID(),
        streamId,
        version + i + 1,
        event.type,
        1,
        BENCH_BOT_ID,
        context.correlationId,
        context.causationId,
        context.actor.kind,
        context.actor.id,
        context.occurredAt,
        JSON.stringify(event.data),
      );
    }
    await pool.query(sqlFor(batchSize), parameters);
    return version + batchSize;
  };
}
