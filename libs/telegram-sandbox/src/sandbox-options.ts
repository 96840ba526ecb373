import { type RateLimitRules, TELEGRAM_RATE_LIMITS } from './rate-limit/send-rate-limiter.js';
import type { WebhookDeliveryOptions } from './updates/webhook-delivery.js';

/** Options of a {@link TelegramSandbox}. Every field has a Telegram-like default. */
export interface TelegramSandboxOptions {
  /**
   * Send limits. `false` switches them off (functional tests); an object overrides single rules,
   * e.g. `{ perChat: { limit: 20, windowMs: 1000 } }`. Defaults: 30/s per bot, 1/s per chat with a
   * burst of 3, 20/min per group.
   */
  rateLimits?: false | Partial<RateLimitRules>;
  /** How long a bot has to answer a pre_checkout_query. Telegram: 10 s. */
  preCheckoutTimeoutMs?: number;
  /** Webhook retry and timeout behaviour. */
  webhook?: Partial<WebhookDeliveryOptions>;
  /** Initial simulated time (message dates, subscriptions); defaults to now. */
  startAt?: Date;
  /** Receives one line per Bot API call (the CLI prints them); off by default. */
  log?: (line: string) => void;
  /**
   * A JSON file that keeps the sandbox's world (bots, users, groups, messages, payments, files, the
   * clock and unconfirmed updates) across restarts: loaded when the sandbox is created, rewritten
   * shortly after each change. Off by default, so tests start empty.
   */
  persistTo?: string;
}

/** Options with every default filled in. */
export interface ResolvedSandboxOptions {
  rateLimits: RateLimitRules | false;
  preCheckoutTimeoutMs: number;
  webhook: WebhookDeliveryOptions;
  startAt?: Date;
  log?: (line: string) => void;
  persistTo?: string;
}

export function resolveSandboxOptions(options: TelegramSandboxOptions = {}): ResolvedSandboxOptions {
  return {
    rateLimits: options.rateLimits === false ? false : { ...TELEGRAM_RATE_LIMITS, ...options.rateLimits },
    preCheckoutTimeoutMs: options.preCheckoutTimeoutMs ?? 10_000,
    webhook: {
      initialRetryDelayMs: options.webhook?.initialRetryDelayMs ?? 1000,
      maxRetryDelayMs: options.webhook?.maxRetryDelayMs ?? 60_000,
      requestTimeoutMs: options.webhook?.requestTimeoutMs ?? 60_000,
    },
    startAt: options.startAt,
    log: options.log,
    persistTo: options.persistTo,
  };
}
