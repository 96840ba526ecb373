import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { autoRetry } from '@grammyjs/auto-retry';
import { Api, GrammyError } from 'grammy';
import { TelegramSandbox } from '../index.js';

/** Sends one message and returns the error code, if any. */
async function trySend(api: Api, chatId: number, text: string): Promise<{ ok: true } | { ok: false; error: GrammyError }> {
  try {
    await api.sendMessage(chatId, text);
    return { ok: true };
  } catch (error) {
    if (error instanceof GrammyError) return { ok: false, error };
    throw error;
  }
}

describe('rate limits', () => {
  describe('with a short per-chat window (20 messages per second)', () => {
    const sandbox = new TelegramSandbox({ rateLimits: { perChat: { limit: 20, windowMs: 1000 } } });
    let counter = 0;

    beforeAll(async () => {
      await sandbox.start();
    });

    afterAll(async () => {
      await sandbox.stop();
    });

    function setup() {
      const bot = sandbox.createBot({ username: `burst${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Alice' });
      const chat = sandbox.chat(user, bot);
      chat.sendText('hi');
      return { user, chat, api: new Api(bot.token, { apiRoot: sandbox.apiRoot }) };
    }

    it('answers a burst of 100 sends to one chat with 429 and retry_after', async () => {
      const { api, user } = setup();
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => trySend(api, user.id, `message ${i}`)));

      const refused = results.flatMap((result) => (result.ok ? [] : [result.error]));
      // 20 pass at once; the bucket refills 20 per second, so a few more may slip in while the burst is served.
      expect(results.filter((result) => result.ok).length).toBeGreaterThanOrEqual(20);
      expect(refused.length).toBeGreaterThanOrEqual(40);
      for (const error of refused) {
        expect(error).toMatchObject({ error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
      }
    });

    it('gets every message of a burst through, in order, with grammY auto-retry', async () => {
      const { api, user, chat } = setup();
      const retries: number[] = [];
      api.config.use(async (prev, method, payload, signal) => {
        const result = await prev(method, payload, signal);
        if (!result.ok && result.error_code === 429) retries.push(result.parameters?.retry_after ?? -1);
        return result;
      });
      api.config.use(autoRetry({ maxRetryAttempts: 10 }));

      const startedAt = Date.now();
      for (let i = 0; i < 100; i++) await api.sendMessage(user.id, `message ${i}`);

      const texts = chat.botMessages().map((message) => message.text);
      expect(texts).toEqual(Array.from({ length: 100 }, (_, i) => `message ${i}`));
      expect(retries.length).toBeGreaterThanOrEqual(3);
      expect(retries.every((seconds) => seconds >= 1)).toBe(true);
      // 100 messages at 20 per second need about four waits of one second.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3000);
    }, 20_000);
  });

  describe('with Telegram defaults', () => {
    const sandbox = new TelegramSandbox();

    beforeAll(async () => {
      await sandbox.start();
    });

    afterAll(async () => {
      await sandbox.stop();
    });

    it('allows a small burst to one chat, then about one message per second', async () => {
      const bot = sandbox.createBot({ username: 'defaults_bot' });
      const user = sandbox.createUser({ firstName: 'Bob' });
      sandbox.chat(user, bot).sendText('hi');
      const api = new Api(bot.token, { apiRoot: sandbox.apiRoot });

      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => trySend(api, user.id, `m${i}`)));
      const passed = results.filter((result) => result.ok).length;
      expect(passed).toBeGreaterThanOrEqual(3);
      expect(passed).toBeLessThanOrEqual(4);
      expect(results.flatMap((result) => (result.ok ? [] : [result.error.parameters.retry_after]))).toEqual(Array(6 - passed).fill(1));
    });

    it('limits a bot to about 30 messages a second across chats', async () => {
      const bot = sandbox.createBot({ username: 'broadcast_bot' });
      const api = new Api(bot.token, { apiRoot: sandbox.apiRoot });
      const users = Array.from({ length: 60 }, (_, i) => {
        const user = sandbox.createUser({ firstName: `Reader ${i}` });
        sandbox.chat(user, bot).sendText('subscribe');
        return user;
      });
      const results = await Promise.all(users.map(async (user) => (await trySend(api, user.id, 'news')).ok));
      // 30 at once, plus the odd token refilled (30 per second) while the burst is served.
      expect(results.filter(Boolean).length).toBeGreaterThanOrEqual(30);
      expect(results.filter((ok) => !ok).length).toBeGreaterThanOrEqual(15);
    });
  });

  describe('with the per-chat limit lifted', () => {
    const sandbox = new TelegramSandbox({ rateLimits: { perChat: { limit: 1000, windowMs: 1000 } } });

    beforeAll(async () => {
      await sandbox.start();
    });

    afterAll(async () => {
      await sandbox.stop();
    });

    it('limits one group to 20 messages a minute', async () => {
      const bot = sandbox.createBot({ username: 'group_only_bot' });
      const member = sandbox.createUser({ firstName: 'Sam' });
      const group = sandbox.createGroup({ title: 'Busy', members: [member], bots: [bot] });
      const api = new Api(bot.token, { apiRoot: sandbox.apiRoot });

      const results = [];
      for (let i = 0; i < 21; i++) results.push(await trySend(api, group.id, `g${i}`));
      expect(results.slice(0, 20).every((result) => result.ok)).toBe(true);
      const last = results[20];
      if (last.ok) throw new Error('the 21st message in a minute should be refused');
      // One token comes back every 3 s (20 per minute).
      expect(last.error).toMatchObject({ error_code: 429, parameters: { retry_after: 3 } });
    });
  });

  describe('switched off', () => {
    const sandbox = new TelegramSandbox({ rateLimits: false });

    beforeAll(async () => {
      await sandbox.start();
    });

    afterAll(async () => {
      await sandbox.stop();
    });

    it('lets a burst of 100 messages to one chat through', async () => {
      const bot = sandbox.createBot({ username: 'unlimited_bot' });
      const user = sandbox.createUser({ firstName: 'Una' });
      sandbox.chat(user, bot).sendText('hi');
      const api = new Api(bot.token, { apiRoot: sandbox.apiRoot });
      const results = [];
      for (let i = 0; i < 100; i++) results.push((await trySend(api, user.id, `m${i}`)).ok);
      expect(results.every(Boolean)).toBe(true);
    });
  });
});
