import type { WebhookInfo } from 'grammy/types';
import type { SandboxClock } from '../clock/sandbox-clock.js';
import type { BotRecord } from '../state/sandbox-records.js';
import { type WebhookConfig, WebhookDelivery, type WebhookDeliveryOptions, type WebhookReply } from './webhook-delivery.js';

/** Which bots have a webhook, and the delivery loop of each. */
export class WebhookRegistry {
  private readonly deliveries = new Map<number, WebhookDelivery>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly options: WebhookDeliveryOptions,
    private readonly onReply: (bot: BotRecord, reply: WebhookReply) => void,
  ) {}

  isActive(bot: BotRecord): boolean {
    return this.deliveries.has(bot.id);
  }

  config(bot: BotRecord): WebhookConfig | undefined {
    return this.deliveries.get(bot.id)?.config;
  }

  set(bot: BotRecord, config: WebhookConfig): void {
    this.remove(bot);
    this.deliveries.set(bot.id, new WebhookDelivery(config, bot.updates, this.clock, this.options, (reply) => this.onReply(bot, reply)));
  }

  remove(bot: BotRecord): boolean {
    const delivery = this.deliveries.get(bot.id);
    if (!delivery) return false;
    delivery.stop();
    this.deliveries.delete(bot.id);
    return true;
  }

  info(bot: BotRecord): WebhookInfo {
    const delivery = this.deliveries.get(bot.id);
    const allowed = bot.updates.allowedUpdates as WebhookInfo['allowed_updates'];
    if (!delivery) return { url: '', has_custom_certificate: false, pending_update_count: bot.updates.pendingCount };
    return {
      url: delivery.config.url,
      has_custom_certificate: false,
      pending_update_count: bot.updates.pendingCount,
      ip_address: '127.0.0.1',
      ...(delivery.lastErrorDate !== undefined ? { last_error_date: delivery.lastErrorDate, last_error_message: delivery.lastErrorMessage } : {}),
      max_connections: delivery.config.maxConnections,
      ...(allowed ? { allowed_updates: allowed } : {}),
    };
  }

  stopAll(): void {
    for (const delivery of this.deliveries.values()) delivery.stop();
    this.deliveries.clear();
  }
}
