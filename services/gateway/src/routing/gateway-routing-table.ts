import type { RoutingTable } from '@botplatform/bot-kit';
import { foldEvents, type PostgresEventStore } from '@botplatform/event-store';
import { Logger } from '@nestjs/common';
import { BOT_FEATURES_STREAM, botFeaturesDecider, type BotFeaturesEvent } from './bot-features.decider.js';

/**
 * The routing table this gateway routes by: folded from the `bot-features` stream when the gateway
 * starts (a restarted gateway routes as before), swapped in memory after each declaration it decided,
 * and read again every `refreshIntervalMs` so a declaration another replica decided reaches this one.
 * Readers call `current()` on every update; a swap never blocks them.
 */
export class GatewayRoutingTable {
  private readonly logger = new Logger('RoutingTable');
  private table: RoutingTable = botFeaturesDecider.initialState().table;
  private versionValue = 0;
  private readonly listeners = new Set<(table: RoutingTable) => void>();
  private timer: NodeJS.Timeout | undefined;
  /** The refresh under way, if any (its errors already logged). */
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: { readonly refreshIntervalMs?: number } = {},
  ) {}

  current(): RoutingTable {
    return this.table;
  }

  /** The stream version the table was folded from (0 before any declaration). */
  get version(): number {
    return this.versionValue;
  }

  /** Folds the stream into the table; then keeps reading it every `refreshIntervalMs` (default 10 s, 0 for never). */
  async load(): Promise<void> {
    await this.reload();
    const interval = this.options.refreshIntervalMs ?? 10_000;
    if (interval > 0 && !this.timer) {
      this.timer = setInterval(() => {
        this.refreshing ??= this.reload()
          .catch((error: unknown) => this.logger.warn(`could not read the routing table: ${String(error)}`))
          .finally(() => {
            this.refreshing = undefined;
          });
      }, interval);
      this.timer.unref();
    }
  }

  /** Stops the refresh, and waits for one under way: the service's ORM closes after this. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  /** Puts a table in force if it is newer than the one in force (a late reader never turns it back). */
  apply(table: RoutingTable, version: number): void {
    if (version <= this.versionValue) return;
    this.table = table;
    this.versionValue = version;
    for (const listener of this.listeners) listener(table);
  }

  /** Told after each swap (the command menus are set again). */
  onChange(listener: (table: RoutingTable) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async reload(): Promise<void> {
    const stream = await this.store.readStream<BotFeaturesEvent>(BOT_FEATURES_STREAM);
    this.apply(foldEvents(botFeaturesDecider, stream.events).table, stream.version);
  }
}
