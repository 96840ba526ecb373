import type { Update } from 'grammy/types';
import type { SandboxClock } from '../clock/sandbox-clock.js';
import type { UpdateQueue } from './update-queue.js';

/** A webhook as setWebhook configured it. */
export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

/** Retry and timeout behaviour of webhook delivery. */
export interface WebhookDeliveryOptions {
  /** Delay before the second attempt; doubles after each failure. Telegram starts around 1 s. */
  initialRetryDelayMs: number;
  /** Upper bound of the retry delay (Telegram caps near a minute). */
  maxRetryDelayMs: number;
  /** How long to wait for the bot's HTTP answer. */
  requestTimeoutMs: number;
}

/** A JSON body the bot answered with, carrying a method call ("webhook reply"). */
export interface WebhookReply {
  method: string;
  params: Record<string, unknown>;
}

interface RetryState {
  failures: number;
  notBefore: number;
}

/**
 * Pushes a bot's updates to its webhook like the Bot API server: a POST per update with the
 * secret token header, updates of one chat strictly in order, up to `max_connections` chats at
 * once, and failed updates retried later with a doubling delay while the error is reported
 * through getWebhookInfo.
 */
export class WebhookDelivery {
  lastErrorDate?: number;
  lastErrorMessage?: string;
  private readonly inFlight = new Set<number>();
  private readonly busyKeys = new Set<string>();
  private readonly retries = new Map<number, RetryState>();
  private readonly controllers = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(
    readonly config: WebhookConfig,
    private readonly queue: UpdateQueue,
    private readonly clock: SandboxClock,
    private readonly options: WebhookDeliveryOptions,
    private readonly onReply: (reply: WebhookReply) => void,
  ) {
    this.unsubscribe = queue.onPush(() => this.pump());
    queueMicrotask(() => this.pump());
  }

  /** Stops sending; undelivered updates stay in the queue (getUpdates may take them after deleteWebhook). */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    for (const controller of this.controllers) controller.abort();
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = Date.now();
    const seenKeys = new Set<string>();
    let nextWake = Infinity;
    for (const update of this.queue.pendingUpdates) {
      if (this.inFlight.size >= this.config.maxConnections) break;
      const key = orderingKey(update);
      // Only the oldest pending update of each chat may be in flight; later ones wait their turn.
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      if (this.inFlight.has(update.update_id) || this.busyKeys.has(key)) continue;
      const retry = this.retries.get(update.update_id);
      if (retry && retry.notBefore > now) {
        nextWake = Math.min(nextWake, retry.notBefore);
        continue;
      }
      void this.deliver(update, key);
    }
    if (nextWake !== Infinity) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, nextWake - now));
    }
  }

  private async deliver(update: Update, key: string): Promise<void> {
    this.inFlight.add(update.update_id);
    this.busyKeys.add(key);
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error('timeout')), this.options.requestTimeoutMs);
    let failure: { message: string; retryAfterMs?: number } | undefined;
    try {
      const response = await fetch(this.config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.config.secretToken ? { 'x-telegram-bot-api-secret-token': this.config.secretToken } : {}),
        },
        body: JSON.stringify(update),
        signal: controller.signal,
      });
      const body = await response.text();
      if (response.status >= 200 && response.status <= 299) {
        this.handleReply(body, response.headers.get('content-type') ?? '');
      } else {
        const retryAfter = Number(response.headers.get('retry-after'));
        failure = {
          message: `Wrong response from the webhook: ${response.status} ${response.statusText}`,
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
        };
      }
    } catch (error) {
      failure = { message: describeNetworkError(error, controller.signal) };
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
      this.inFlight.delete(update.update_id);
      this.busyKeys.delete(key);
    }
    if (this.stopped) return;

    if (failure) {
      this.lastErrorDate = this.clock.unixTime();
      this.lastErrorMessage = failure.message;
      const failures = (this.retries.get(update.update_id)?.failures ?? 0) + 1;
      const backoff = Math.min(this.options.maxRetryDelayMs, this.options.initialRetryDelayMs * 2 ** (failures - 1));
      this.retries.set(update.update_id, { failures, notBefore: Date.now() + (failure.retryAfterMs ?? backoff) });
    } else {
      this.retries.delete(update.update_id);
      this.queue.remove(update.update_id);
    }
    this.pump();
  }

  private handleReply(body: string, contentType: string): void {
    if (!contentType.includes('application/json') || body.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const { method, ...params } = value as Record<string, unknown>;
    if (typeof method !== 'string') return;
    const lower = method.toLowerCase();
    // The server ignores getters and webhook management in replies, as documented.
    if (lower.startsWith('get') || ['setwebhook', 'deletewebhook', 'close', 'logout'].includes(lower)) return;
    this.onReply({ method, params });
  }
}

/** Telegram keeps updates of one chat in order; updates without a chat queue per user. */
function orderingKey(update: Update): string {
  const payload = Object.values(update).find((value) => typeof value === 'object' && value !== null) as
    | { chat?: { id: number }; from?: { id: number }; message?: { chat?: { id: number } } }
    | undefined;
  const chatId = payload?.chat?.id ?? payload?.message?.chat?.id;
  if (chatId !== undefined) return `chat:${chatId}`;
  if (payload?.from?.id !== undefined) return `user:${payload.from.id}`;
  return 'other';
}

function describeNetworkError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'Read timeout expired';
  const cause = (error as { cause?: { code?: string } })?.cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'Webhook connection closed';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'Failed to resolve host: Name or service not known';
    default:
      return `Connection failed: ${cause?.code ?? (error instanceof Error ? error.message : String(error))}`;
  }
}
