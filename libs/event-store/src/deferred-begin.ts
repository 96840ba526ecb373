import pg from 'pg';

/**
 * Sends a transaction's BEGIN together with its first statement when that statement can travel with it.
 *
 * kysely (under MikroORM's `em.transactional`) sends `begin` on its own and waits for the answer: a
 * round trip that carries nothing. Here the pooled connection holds the `begin` back and answers it at
 * once; the next query then carries it:
 * - without parameters (a statement built with escaped literals, as the bus's inbox insert is), as one
 *   simple query `BEGIN; <statement>`;
 * - with parameters (kysely's, the event store's append), as one extended-protocol exchange: BEGIN's
 *   Parse, Bind and Execute, then the statement's, and a single Sync (`BeginFirstQuery`).
 * A transaction that ends before any statement ran (COMMIT or ROLLBACK with the BEGIN still held) sends
 * nothing at all. This is what JDBC drivers do with BEGIN.
 *
 * Only kysely's plain `begin` is held back: `start transaction isolation level …`, savepoints and
 * every other statement go out unchanged and in order. The answer is the statement's own (PostgreSQL
 * answers each; the BEGIN's is dropped), and a statement that fails there fails inside the transaction,
 * as it would have after a separate BEGIN: the caller's ROLLBACK follows.
 */
export function deferBegin(client: pg.PoolClient | pg.Client): void {
  const send = client.query.bind(client) as (...args: unknown[]) => unknown;
  const state = { beginHeld: false };
  held.set(client, state);
  const heldBack = (command: string): Promise<pg.QueryResult> =>
    Promise.resolve({ command, rowCount: null, rows: [], fields: [], oid: 0 } as unknown as pg.QueryResult);
  (client as { query: (...args: unknown[]) => unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    // Callback style, cursors and streams (`submit`), named or configured queries: not kysely's hot
    // path; the held BEGIN goes first, in order, and the query as given.
    const text = typeof config === 'string' ? config : undefined;
    const plain = text !== undefined && typeof callback !== 'function' && typeof values !== 'function' && isEmpty(values);
    if (plain && !state.beginHeld && text === 'begin') {
      state.beginHeld = true;
      return heldBack('BEGIN');
    }
    if (!state.beginHeld) return send(config, values, callback);
    state.beginHeld = false;
    if (plain && (text === 'commit' || text === 'rollback')) return heldBack(text.toUpperCase());
    if (plain) return (send(`BEGIN; ${text}`) as Promise<pg.QueryResult | pg.QueryResult[]>).then(lastResult);
    if (text !== undefined && typeof callback !== 'function' && Array.isArray(values)) {
      return new Promise<pg.QueryResult>((resolve, reject) => {
        send(new BeginFirstQuery(text, values, (error, result) => (error ? reject(error) : resolve(lastResult(result!)))));
      });
    }
    // pg queues queries in the order they are given: BEGIN is sent first, and a BEGIN that fails (the
    // connection is gone) fails the query too, since the connection is the same.
    void (send('BEGIN') as Promise<unknown>).catch(() => undefined);
    return send(config, values, callback);
  };
}

/** pg's connection, as far as a query writes to it. */
interface WireConnection {
  parse(message: { text: string; name?: string }): void;
  bind(message: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(message: { portal?: string }): void;
}

/**
 * An unnamed parameterised query preceded by BEGIN in the same extended-protocol exchange: BEGIN's
 * Parse/Bind/Execute go first in the corked write, then the query's own messages and the one Sync pg
 * sends after them. PostgreSQL answers both in order (BEGIN's CommandComplete, then the query's), and
 * pg gathers them as two results, as it does for a multi-statement simple query.
 */
class BeginFirstQuery extends (pg.Query as unknown as new (
  text: string,
  values: unknown[],
  callback: (error: Error | null, result?: pg.QueryResult | pg.QueryResult[]) => void,
) => object) {
  prepare(connection: WireConnection): void {
    connection.parse({ text: 'BEGIN' });
    connection.bind({});
    connection.execute({});
    (pg.Query.prototype as unknown as { prepare(connection: WireConnection): void }).prepare.call(this, connection);
  }
}

const held = new WeakMap<object, { beginHeld: boolean }>();

/**
 * Forgets a BEGIN still held when the connection goes back to the pool: a transaction abandoned before
 * its first statement (its COMMIT or ROLLBACK never sent) must not open one for the next borrower.
 */
export function forgetHeldBegin(client: object): void {
  const state = held.get(client);
  if (state) state.beginHeld = false;
}

function isEmpty(values: unknown): boolean {
  return values === undefined || (Array.isArray(values) && values.length === 0);
}

/** `BEGIN; <statement>` answers one result per statement: the statement's is the last. */
function lastResult(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(result) ? result[result.length - 1] : result;
}
