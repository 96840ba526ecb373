import { describe, expect, it } from '@jest/globals';
import { TelegramApiError } from '../errors/telegram-api.error.js';
import { SendRateLimiter, TELEGRAM_RATE_LIMITS } from './send-rate-limiter.js';

/** A limiter on a hand-driven clock. */
function limiterAt(start = 0) {
  let now = start;
  const limiter = new SendRateLimiter(TELEGRAM_RATE_LIMITS, () => now);
  return {
    limiter,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function retryAfterOf(send: () => void): number | undefined {
  try {
    send();
    return undefined;
  } catch (error) {
    if (error instanceof TelegramApiError && error.errorCode === 429) return error.parameters?.retry_after;
    throw error;
  }
}

describe('SendRateLimiter', () => {
  const privateChat = { botId: 1, chatId: 10, isGroup: false };

  it('lets a burst of three through to one chat, then asks to retry after a second', () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 3; i++) limiter.consume(privateChat);
    expect(retryAfterOf(() => limiter.consume(privateChat))).toBe(1);
  });

  it('refills one message per second per chat', () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < 3; i++) limiter.consume(privateChat);
    advance(1000);
    expect(retryAfterOf(() => limiter.consume(privateChat))).toBeUndefined();
    expect(retryAfterOf(() => limiter.consume(privateChat))).toBe(1);
  });

  it('does not spend tokens on refused sends', () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < 3; i++) limiter.consume(privateChat);
    for (let i = 0; i < 10; i++) retryAfterOf(() => limiter.consume(privateChat));
    advance(1000);
    expect(retryAfterOf(() => limiter.consume(privateChat))).toBeUndefined();
  });

  it('keeps chats apart but caps a bot at 30 messages a second overall', () => {
    const { limiter } = limiterAt();
    for (let chatId = 0; chatId < 30; chatId++) limiter.consume({ botId: 1, chatId, isGroup: false });
    expect(retryAfterOf(() => limiter.consume({ botId: 1, chatId: 99, isGroup: false }))).toBe(1);
    expect(retryAfterOf(() => limiter.consume({ botId: 2, chatId: 99, isGroup: false }))).toBeUndefined();
  });

  it('raises the overall cap for paid broadcasts', () => {
    const { limiter } = limiterAt();
    for (let chatId = 0; chatId < 200; chatId++) limiter.consume({ botId: 1, chatId, isGroup: false, paidBroadcast: true });
  });

  it('allows 20 messages a minute in a group and says how long to wait for the next', () => {
    let now = 0;
    const limiter = new SendRateLimiter({ ...TELEGRAM_RATE_LIMITS, perChat: { limit: 100, windowMs: 1000 } }, () => now);
    const group = { botId: 1, chatId: -100, isGroup: true };
    for (let i = 0; i < 20; i++) limiter.consume(group);
    // One message comes back every 3 s (20 per 60 s).
    expect(retryAfterOf(() => limiter.consume(group))).toBe(3);
    now += 3000;
    expect(retryAfterOf(() => limiter.consume(group))).toBeUndefined();
  });
});
