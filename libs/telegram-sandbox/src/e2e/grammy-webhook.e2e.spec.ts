import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GrammyError, webhookCallback } from 'grammy';
import { TelegramSandbox } from '../index.js';
import { callJson } from '../test-support/bot-api-client.js';
import { createShopBot } from '../test-support/shop-bot.js';
import { waitUntil } from '../test-support/wait-until.js';

/** A local HTTP server for a webhook; closed in afterAll. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('webhooks', () => {
  const sandbox = new TelegramSandbox({
    rateLimits: false,
    webhook: { initialRetryDelayMs: 150, maxRetryDelayMs: 2000, requestTimeoutMs: 5000 },
  });
  const servers: Server[] = [];
  let counter = 0;

  beforeAll(async () => {
    await sandbox.start();
  });

  afterAll(async () => {
    await sandbox.stop();
    await Promise.all(servers.map(close));
  });

  async function grammyWebhookBot() {
    const shop = sandbox.createBot({ username: `hook${++counter}_bot` });
    const alice = sandbox.createUser({ firstName: 'Alice' });
    const { bot, seen } = createShopBot(shop.token, sandbox.apiRoot);
    const { server, url } = await listen(webhookCallback(bot, 'http', { secretToken: 'right-secret' }));
    servers.push(server);
    return { shop, alice, bot, seen, url, chat: sandbox.chat(alice, shop) };
  }

  describe('with grammY webhookCallback', () => {
    it('delivers updates by POST with the secret token, and the bot replies', async () => {
      const { bot, chat, url, shop } = await grammyWebhookBot();
      await bot.api.setWebhook(url, { secret_token: 'right-secret' });

      chat.sendCommand('start');
      const welcome = await chat.waitForMessage();
      expect(welcome.text).toBe('Welcome to the shop!');

      await chat.pressCallbackButton(welcome, 'About');
      expect((await chat.waitForEdit()).text).toBe('We sell star packs since 2024.');
      // The edit happens inside the handler; the update counts as delivered once the handler returned.
      await waitUntil(() => sandbox.webhookInfo(shop).pending_update_count === 0, 5000, 'the update to be confirmed');
      expect(sandbox.webhookInfo(shop)).toEqual({
        url,
        has_custom_certificate: false,
        pending_update_count: 0,
        ip_address: '127.0.0.1',
        max_connections: 40,
      });
    });

    it('refuses getUpdates with 409 while the webhook is set', async () => {
      const { bot, url } = await grammyWebhookBot();
      await bot.api.setWebhook(url, { secret_token: 'right-secret' });

      const failure = await bot.api.getUpdates().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GrammyError);
      expect(failure).toMatchObject({
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });

      await bot.api.deleteWebhook();
      await expect(bot.api.getUpdates({ timeout: 0 })).resolves.toEqual([]);
    });

    it('reports a wrong secret as a webhook error, keeps the update and delivers it once the secret is fixed', async () => {
      const { bot, chat, url, shop } = await grammyWebhookBot();
      await bot.api.setWebhook(url, { secret_token: 'wrong-secret' });

      chat.sendCommand('start');
      await waitUntil(() => sandbox.webhookInfo(shop).last_error_message !== undefined, 5000, 'a webhook error');
      const info = await bot.api.getWebhookInfo();
      expect(info).toMatchObject({
        url,
        pending_update_count: 1,
        last_error_message: 'Wrong response from the webhook: 401 Unauthorized',
        last_error_date: expect.any(Number),
      });
      expect(chat.botMessages()).toEqual([]);

      await bot.api.setWebhook(url, { secret_token: 'right-secret' });
      expect((await chat.waitForMessage()).text).toBe('Welcome to the shop!');
      await waitUntil(() => sandbox.webhookInfo(shop).pending_update_count === 0, 5000, 'an empty queue');
    });
  });

  describe('delivery', () => {
    it('retries a failing webhook with a doubling delay and sends the secret token header', async () => {
      const shop = sandbox.createBot({ username: `retry${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Bob' });
      const attempts: Array<{ at: number; headers: IncomingHttpHeaders; body: string }> = [];
      const { server, url } = await listen((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          attempts.push({ at: Date.now(), headers: request.headers, body });
          response.writeHead(attempts.length <= 3 ? 500 : 200).end();
        });
      });
      servers.push(server);
      await callJson(sandbox.apiRoot, shop.token, 'setWebhook', { url, secret_token: 'S3cret_-token' });

      sandbox.chat(user, shop).sendText('hello');
      await waitUntil(() => attempts.length === 4, 8000, 'four delivery attempts');
      await waitUntil(() => sandbox.webhookInfo(shop).pending_update_count === 0, 2000, 'the update to be confirmed');

      const gaps = attempts.slice(1).map((attempt, index) => attempt.at - attempts[index].at);
      // The delay starts at 150 ms and doubles after each failure: 150, 300, 600 ms at least.
      expect(gaps[0]).toBeGreaterThanOrEqual(145);
      expect(gaps[1]).toBeGreaterThanOrEqual(295);
      expect(gaps[2]).toBeGreaterThanOrEqual(595);
      expect(attempts.every((attempt) => attempt.headers['x-telegram-bot-api-secret-token'] === 'S3cret_-token')).toBe(true);
      const updateIds = attempts.map((attempt) => (JSON.parse(attempt.body) as { update_id: number }).update_id);
      expect(new Set(updateIds).size).toBe(1);
      expect(JSON.parse(attempts[0].body)).toMatchObject({ message: { text: 'hello', from: { id: user.id } } });
      expect(sandbox.webhookInfo(shop).last_error_message).toBe('Wrong response from the webhook: 500 Internal Server Error');
    }, 15_000);

    it('executes a method the bot answers with in the webhook response', async () => {
      const shop = sandbox.createBot({ username: `reply${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Carol' });
      const { server, url } = await listen((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          const update = JSON.parse(body) as { message: { chat: { id: number }; text: string } };
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ method: 'sendMessage', chat_id: update.message.chat.id, text: `echo: ${update.message.text}` }));
        });
      });
      servers.push(server);
      await callJson(sandbox.apiRoot, shop.token, 'setWebhook', { url });

      const chat = sandbox.chat(user, shop);
      chat.sendText('ping');
      expect((await chat.waitForMessage()).text).toBe('echo: ping');
    });

    it('reports an unreachable webhook and drops its updates on deleteWebhook(drop_pending_updates)', async () => {
      const shop = sandbox.createBot({ username: `gone${++counter}_bot` });
      const user = sandbox.createUser({ firstName: 'Dan' });
      const { server, url } = await listen((_request, response) => response.end());
      await close(server);
      await callJson(sandbox.apiRoot, shop.token, 'setWebhook', { url });

      sandbox.chat(user, shop).sendText('anyone?');
      await waitUntil(() => sandbox.webhookInfo(shop).last_error_message !== undefined, 5000, 'a webhook error');
      expect(sandbox.webhookInfo(shop)).toMatchObject({ pending_update_count: 1, last_error_message: 'Connection refused' });

      const deleted = await callJson(sandbox.apiRoot, shop.token, 'deleteWebhook', { drop_pending_updates: true });
      expect(deleted.body).toEqual({ ok: true, result: true, description: 'Webhook was deleted' });
      expect((await callJson(sandbox.apiRoot, shop.token, 'getUpdates', { timeout: 0 })).body).toEqual({ ok: true, result: [] });
      expect(sandbox.webhookInfo(shop)).toEqual({ url: '', has_custom_certificate: false, pending_update_count: 0 });
    });
  });

  describe('setWebhook', () => {
    it('answers with the descriptions Telegram uses', async () => {
      const shop = sandbox.createBot({ username: `set${++counter}_bot` });
      const url = 'http://127.0.0.1:9/unused';
      const set = (params: Record<string, unknown>) => callJson(sandbox.apiRoot, shop.token, 'setWebhook', params);

      expect((await set({ url })).body).toEqual({ ok: true, result: true, description: 'Webhook was set' });
      expect((await set({ url })).body).toEqual({ ok: true, result: true, description: 'Webhook is already set' });
      expect((await callJson(sandbox.apiRoot, shop.token, 'deleteWebhook')).body.description).toBe('Webhook was deleted');
      expect((await callJson(sandbox.apiRoot, shop.token, 'deleteWebhook')).body.description).toBe('Webhook is already deleted');
    });

    it('rejects bad URLs and secret tokens with 400', async () => {
      const shop = sandbox.createBot({ username: `bad${++counter}_bot` });
      const set = (params: Record<string, unknown>) => callJson(sandbox.apiRoot, shop.token, 'setWebhook', params);

      expect((await set({ url: 'ftp://example.com/hook' })).body).toEqual({
        ok: false,
        error_code: 400,
        description: 'Bad Request: invalid webhook URL specified',
      });
      expect((await set({ url: 'http://127.0.0.1:9/x', secret_token: 'not allowed!' })).body.description).toBe(
        'Bad Request: secret token contains unallowed characters',
      );
      expect((await set({ url: 'http://127.0.0.1:9/x', secret_token: 'a'.repeat(257) })).body.description).toBe('Bad Request: secret token is too long');
    });
  });
});
