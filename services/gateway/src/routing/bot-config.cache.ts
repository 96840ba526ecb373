import type { BotConfigJson, GetBotConfigRequestJson } from '@botplatform/contracts';

/** What routing needs of a bot's configuration. */
export interface RoutingConfig {
  readonly flags: Readonly<Record<string, boolean>>;
  /** IANA time zone (the `timezone` setting), "UTC" when unset. */
  readonly timeZone: string;
}

export interface BotConfigSource {
  getBotConfig(request: GetBotConfigRequestJson): Promise<BotConfigJson>;
}

export interface BotConfigCacheOptions {
  /** How long a bot's configuration answers from memory (default 30 s); events invalidate sooner. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Each bot's feature flags and time zone (`rpc.users.get-bot-config`), kept briefly: every routed update
 * needs them and they rarely change. `onBotConfigChanged` forgets a bot when its flags or settings
 * change; the TTL bounds what a missed event costs. Concurrent misses of one bot share one request.
 */
export class BotConfigCache {
  private readonly entries = new Map<string, { readonly config: RoutingConfig; readonly expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<RoutingConfig>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<(botId: string) => void>();

  constructor(
    private readonly source: BotConfigSource,
    options: BotConfigCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async get(botId: string): Promise<RoutingConfig> {
    const entry = this.entries.get(botId);
    if (entry && entry.expiresAt > this.now()) return entry.config;
    const pending = this.inflight.get(botId);
    if (pending) return pending;
    const request = this.source
      .getBotConfig({ botId })
      .then((reply) => {
        const config = routingConfigOf(reply);
        this.entries.set(botId, { config, expiresAt: this.now() + this.ttlMs });
        return config;
      })
      .finally(() => this.inflight.delete(botId));
    this.inflight.set(botId, request);
    return request;
  }

  /** Forgets a bot's configuration, and tells the listeners (its command menu depends on its flags). */
  invalidate(botId: string): void {
    this.entries.delete(botId);
    for (const listener of this.listeners) listener(botId);
  }

  onInvalidated(listener: (botId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function routingConfigOf(config: BotConfigJson): RoutingConfig {
  const timezone = config.settings?.find((setting) => setting.key === 'timezone');
  let timeZone = 'UTC';
  try {
    const value = timezone?.valueJson ? JSON.parse(timezone.valueJson) : undefined;
    if (typeof value === 'string' && value) timeZone = value;
  } catch {
    // A malformed value leaves the default: the users service validates what it stores.
  }
  return { flags: { ...(config.flags ?? {}) }, timeZone };
}
