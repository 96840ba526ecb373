import { tooManyRequests } from '../errors/telegram-api.error.js';
import { type RateLimitRule, TokenBucket } from './token-bucket.js';

/** The limits Telegram applies to messages a bot sends (Bot FAQ figures). */
export interface RateLimitRules {
  /** Across all chats of one bot: about 30 messages per second. */
  perBot: RateLimitRule;
  /** Across all chats when the send sets `allow_paid_broadcast`: about 1000 per second. */
  perBotPaidBroadcast: RateLimitRule;
  /** One chat: about one message per second, with a small burst allowed. */
  perChat: RateLimitRule;
  /** One group or supergroup: 20 messages per minute. */
  perGroup: RateLimitRule;
}

export const TELEGRAM_RATE_LIMITS: RateLimitRules = {
  perBot: { limit: 30, windowMs: 1000 },
  perBotPaidBroadcast: { limit: 1000, windowMs: 1000 },
  perChat: { limit: 1, windowMs: 1000, burst: 3 },
  perGroup: { limit: 20, windowMs: 60_000 },
};

/** What is being sent, as far as the limits care. */
export interface SendTarget {
  botId: number;
  chatId: number;
  isGroup: boolean;
  paidBroadcast?: boolean;
}

/**
 * Enforces Telegram's send limits. A send consumes a token from every bucket it falls under, or
 * from none: a refused send must not eat into the bot's budget, otherwise retries would never pass.
 */
export class SendRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rules: RateLimitRules,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records the send, or throws Telegram's 429 with the whole seconds to wait. */
  consume(target: SendTarget): void {
    const now = this.now();
    const buckets = this.bucketsFor(target, now);
    const waitMs = Math.max(...buckets.map((bucket) => bucket.waitMs(now)));
    if (waitMs > 0) throw tooManyRequests(Math.max(1, Math.ceil(waitMs / 1000)));
    for (const bucket of buckets) bucket.take(now);
    if (this.buckets.size > 10_000) this.forgetIdleBuckets(now);
  }

  private bucketsFor(target: SendTarget, now: number): TokenBucket[] {
    const list = [
      target.paidBroadcast
        ? this.bucket(`paid:${target.botId}`, this.rules.perBotPaidBroadcast, now)
        : this.bucket(`bot:${target.botId}`, this.rules.perBot, now),
      this.bucket(`chat:${target.botId}:${target.chatId}`, this.rules.perChat, now),
    ];
    if (target.isGroup) list.push(this.bucket(`group:${target.botId}:${target.chatId}`, this.rules.perGroup, now));
    return list;
  }

  private bucket(key: string, rule: RateLimitRule, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rule, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private forgetIdleBuckets(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
  }
}
