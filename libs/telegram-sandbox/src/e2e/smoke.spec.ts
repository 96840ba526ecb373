import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Bot } from 'grammy';
import { TelegramSandbox } from '../index.js';

describe('smoke', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  beforeAll(async () => {
    await sandbox.start();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('replies', async () => {
    const shop = sandbox.createBot({ username: 'shop_bot' });
    const alice = sandbox.createUser({ firstName: 'Alice' });
    const bot = new Bot(shop.token, { client: { apiRoot: sandbox.apiRoot } });
    bot.command('start', (ctx) => ctx.reply('Welcome!'));
    void bot.start({ timeout: 1 });
    sandbox.chat(alice).sendCommand('start');
    const reply = await sandbox.chat(alice).waitForMessage();
    expect(reply.text).toBe('Welcome!');
    await bot.stop();
  });
});
