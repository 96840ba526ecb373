import pg from 'pg';

export interface AppendNotificationsOptions {
  /** Pause before listening again after the connection was lost (default 1 s). */
  readonly reconnectDelayMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** A running LISTEN on a store's appends. */
export interface AppendSubscription {
  /** True while the LISTEN connection is up (false between a lost connection and the next LISTEN). */
  readonly listening: boolean;
  /** How many times a LISTEN was established (the first one included). */
  readonly listens: number;
  close(): Promise<void>;
}

/** The channel an append in `schema` notifies (see the append-notify migration). */
export function appendChannelOf(schema: string): string {
  return `event_store_appended:${schema}`;
}

/**
 * A dedicated connection LISTENing on a store's append channel: `onAppend` runs for each notification
 * (sent when the appending transaction commits, from any process). When the connection is lost it
 * listens again after a pause, and calls `onAppend` once it is back, for what was appended meanwhile.
 * It is a wake-up only: the reader's poll stays the fallback for whatever it might miss.
 */
export class AppendNotifications implements AppendSubscription {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  listening = false;
  listens = 0;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly onAppend: (transactionId?: string) => void,
    private readonly options: AppendNotificationsOptions = {},
  ) {
    void this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    if (client) await endWithin(client, 1_000);
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.config);
    this.client = client;
    // The payload is the committing transaction's id (or empty, from a store not migrated yet).
    client.on('notification', (message) => this.onAppend(message.payload || undefined));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel.replaceAll('"', '""')}"`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.client !== client) {
      // Closed (or replaced) while connecting: this connection is nobody's.
      await endWithin(client, 1_000);
      return;
    }
    this.listening = true;
    this.listens++;
    this.onAppend();
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    if (error !== undefined && !this.closed) this.options.onError?.(error);
    void endWithin(client, 1_000);
    if (this.closed) return;
    this.retry = setTimeout(() => void this.open(), this.options.reconnectDelayMs ?? 1_000);
  }
}

/** Ends a client, giving up waiting after `ms` (a connection still being opened may never say it ended). */
async function endWithin(client: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([client.end().catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
