import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TelegramSandbox } from '../index.js';
import { callJson } from '../test-support/bot-api-client.js';

describe('the Bot API wire format', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  let counter = 0;

  beforeAll(async () => {
    await sandbox.start();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  /** A bot and a user who already said hello, so the bot may write to them. */
  function botWithUser() {
    const bot = sandbox.createBot({ username: `wire${++counter}_bot` });
    const user = sandbox.createUser({ firstName: 'Alice' });
    sandbox.chat(user, bot).sendText('hi');
    return { bot, user, url: (method: string) => `${sandbox.apiRoot}/bot${bot.token}/${method}` };
  }

  describe('routing', () => {
    it('answers an unknown token with 401 Unauthorized', async () => {
      const response = await callJson(sandbox.apiRoot, '123456:not-a-bot', 'getMe');
      expect(response).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    });

    it('answers an unknown method with 404 Not Found', async () => {
      const { bot } = botWithUser();
      const response = await callJson(sandbox.apiRoot, bot.token, 'sendTelepathy');
      expect(response).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    });

    it('matches method names case-insensitively like the real server', async () => {
      const { bot } = botWithUser();
      const response = await callJson(sandbox.apiRoot, bot.token, 'GETME');
      expect(response.body).toMatchObject({ ok: true, result: { id: bot.id, is_bot: true, username: bot.username } });
    });
  });

  describe('argument encodings', () => {
    it('accepts JSON bodies', async () => {
      const { user, url } = botWithUser();
      const response = await fetch(url('sendMessage'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: user.id, text: 'json', reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] } }),
      });
      expect(await response.json()).toMatchObject({
        ok: true,
        result: { text: 'json', chat: { id: user.id }, reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] } },
      });
    });

    it('accepts urlencoded bodies with JSON-encoded objects', async () => {
      const { user, url } = botWithUser();
      const response = await fetch(url('sendMessage'), {
        method: 'POST',
        body: new URLSearchParams({ chat_id: String(user.id), text: 'form', reply_markup: '{"inline_keyboard":[[{"text":"B","callback_data":"b"}]]}' }),
      });
      expect(await response.json()).toMatchObject({ ok: true, result: { text: 'form', reply_markup: { inline_keyboard: [[{ text: 'B' }]] } } });
    });

    it('accepts multipart bodies', async () => {
      const { user, url } = botWithUser();
      const form = new FormData();
      form.set('chat_id', String(user.id));
      form.set('text', 'multipart');
      const response = await fetch(url('sendMessage'), { method: 'POST', body: form });
      expect(await response.json()).toMatchObject({ ok: true, result: { text: 'multipart' } });
    });

    it('accepts GET with query-string arguments', async () => {
      const { user, url } = botWithUser();
      const response = await fetch(`${url('sendMessage')}?chat_id=${user.id}&text=${encodeURIComponent('query & string')}`);
      expect(await response.json()).toMatchObject({ ok: true, result: { text: 'query & string' } });
    });
  });

  describe('getUpdates', () => {
    it('waits for the timeout when idle', async () => {
      const bot = sandbox.createBot({ username: `idle${++counter}_bot` });
      const startedAt = Date.now();
      const response = await callJson(sandbox.apiRoot, bot.token, 'getUpdates', { timeout: 2 });
      const waited = Date.now() - startedAt;
      expect(response.body).toEqual({ ok: true, result: [] });
      expect(waited).toBeGreaterThanOrEqual(1900);
      expect(waited).toBeLessThan(3000);
    });

    it('returns early when an update arrives during the long poll', async () => {
      const bot = sandbox.createBot({ username: `early${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Eve' });
      const startedAt = Date.now();
      const poll = callJson(sandbox.apiRoot, bot.token, 'getUpdates', { timeout: 10 });
      setTimeout(() => sandbox.chat(user, bot).sendText('wake up'), 200);
      const response = await poll;
      expect(Date.now() - startedAt).toBeLessThan(2000);
      expect(response.body.result).toEqual([expect.objectContaining({ message: expect.objectContaining({ text: 'wake up' }) })]);
    });

    it('confirms updates below the offset and honours limit', async () => {
      const bot = sandbox.createBot({ username: `offset${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Finn' });
      const chat = sandbox.chat(user, bot);
      for (const text of ['one', 'two', 'three']) chat.sendText(text);

      const first = (await callJson(sandbox.apiRoot, bot.token, 'getUpdates', { limit: 2 })).body.result as Array<{
        update_id: number;
        message: { text: string };
      }>;
      expect(first.map((update) => update.message.text)).toEqual(['one', 'two']);
      expect(first[1].update_id).toBe(first[0].update_id + 1);

      const again = (await callJson(sandbox.apiRoot, bot.token, 'getUpdates')).body.result as unknown[];
      expect(again).toHaveLength(3);

      const rest = (await callJson(sandbox.apiRoot, bot.token, 'getUpdates', { offset: first[1].update_id + 1 })).body.result as Array<{
        message: { text: string };
      }>;
      expect(rest.map((update) => update.message.text)).toEqual(['three']);
      expect(sandbox.pendingUpdates(bot)).toHaveLength(1);
    });

    it('keeps only the newest updates for a negative offset', async () => {
      const bot = sandbox.createBot({ username: `negative${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Gus' });
      for (const text of ['a', 'b', 'c']) sandbox.chat(user, bot).sendText(text);
      const latest = (await callJson(sandbox.apiRoot, bot.token, 'getUpdates', { offset: -1 })).body.result as Array<{ message: { text: string } }>;
      expect(latest.map((update) => update.message.text)).toEqual(['c']);
      expect(sandbox.pendingUpdates(bot)).toHaveLength(1);
    });

    it('filters update types with allowed_updates and remembers the choice', async () => {
      const bot = sandbox.createBot({ username: `allowed${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Hal' });
      await callJson(sandbox.apiRoot, bot.token, 'getUpdates', { allowed_updates: ['callback_query'] });
      const chat = sandbox.chat(user, bot);
      chat.sendText('ignored');
      const sent = await callJson(sandbox.apiRoot, bot.token, 'sendMessage', {
        chat_id: user.id,
        text: 'press',
        reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] },
      });
      chat.pressButton((sent.body.result as { message_id: number }).message_id, 'Go');

      const updates = (await callJson(sandbox.apiRoot, bot.token, 'getUpdates')).body.result as Array<Record<string, unknown>>;
      expect(updates.map((update) => Object.keys(update).find((key) => key !== 'update_id'))).toEqual(['callback_query']);
    });

    it('terminates an older poll with 409 when a second one arrives', async () => {
      const bot = sandbox.createBot({ username: `twice${++counter}_bot` });
      const first = callJson(sandbox.apiRoot, bot.token, 'getUpdates', { timeout: 5 });
      // Give the first poll time to start waiting before the second one arrives.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = callJson(sandbox.apiRoot, bot.token, 'getUpdates', { timeout: 0 });
      expect((await first).body).toEqual({
        ok: false,
        error_code: 409,
        description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
      expect((await second).body).toEqual({ ok: true, result: [] });
    });
  });
});
