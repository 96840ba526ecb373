import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '@grammyjs/runner';
import { type Bot, GrammyError, webhookCallback } from 'grammy';
import { TelegramSandbox } from '../index.js';
import { createShopBot } from '../test-support/shop-bot.js';
import { sleep, waitUntil } from '../test-support/wait-until.js';

/** How a bot gets its updates; `start` returns the matching stop function. */
interface Transport {
  name: string;
  polls: boolean;
  start(bot: Bot, timeoutSeconds?: number): Promise<() => Promise<void>>;
}

const transports: Transport[] = [
  {
    name: 'long polling with bot.start()',
    polls: true,
    start: async (bot, timeoutSeconds = 30) => {
      await new Promise<void>((resolve, reject) => {
        bot.start({ timeout: timeoutSeconds, onStart: () => resolve() }).catch(reject);
      });
      return () => bot.stop();
    },
  },
  {
    name: 'long polling with @grammyjs/runner',
    polls: true,
    start: async (bot, timeoutSeconds = 30) => {
      await bot.init();
      const handle = run(bot, { runner: { fetch: { timeout: timeoutSeconds } } });
      return () => handle.stop();
    },
  },
  {
    name: 'a webhook served by webhookCallback',
    polls: false,
    start: async (bot) => {
      const server = createServer(webhookCallback(bot, 'http', { secretToken: 'shop-secret' }));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await bot.api.setWebhook(`http://127.0.0.1:${port}/webhook`, { secret_token: 'shop-secret' });
      return async () => {
        await bot.api.deleteWebhook();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      };
    },
  },
];

const sandbox = new TelegramSandbox({ rateLimits: false });
let botCounter = 0;

beforeAll(async () => {
  await sandbox.start();
});

afterAll(async () => {
  await sandbox.stop();
});

describe.each(transports)('a plain grammY shop bot over $name', (transport) => {
  /** A fresh bot and user per test, so tests do not share chats or updates. */
  async function startShop() {
    const shop = sandbox.createBot({ username: `shop${++botCounter}_bot`, firstName: 'Shop' });
    const alice = sandbox.createUser({ firstName: 'Alice', username: `alice${botCounter}`, languageCode: 'en' });
    const { bot, seen } = createShopBot(shop.token, sandbox.apiRoot);
    const stop = await transport.start(bot);
    return { shop, alice, bot, seen, chat: sandbox.chat(alice, shop), stop };
  }

  it('answers a command with a reply carrying an inline keyboard', async () => {
    const { chat, stop } = await startShop();
    try {
      const command = chat.sendCommand('start', 'promo');
      expect(command.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);

      const reply = await chat.waitForMessage((message) => message.text?.startsWith('Welcome') ?? false);
      expect(reply.text).toBe('Welcome to the shop (promo)!');
      expect(reply.reply_markup?.inline_keyboard[0].map((button) => button.text)).toEqual(['Buy a star pack', 'About']);
    } finally {
      await stop();
    }
  });

  it('edits the message when an inline button is pressed and records the callback answer', async () => {
    const { chat, stop } = await startShop();
    try {
      chat.sendCommand('start');
      const welcome = await chat.waitForMessage();

      const answer = await chat.pressCallbackButton(welcome, 'About');
      expect(answer).toMatchObject({ text: 'We sell star packs', showAlert: false, data: 'about' });

      const edited = await chat.waitForEdit((message) => message.message_id === welcome.message_id);
      expect(edited.text).toBe('We sell star packs since 2024.');
      expect(edited.edit_date).toEqual(expect.any(Number));
      expect(edited.reply_markup?.inline_keyboard.flat().map((button) => button.text)).toEqual(['Buy a star pack']);
      expect(chat.callbackAnswers()).toHaveLength(1);
    } finally {
      await stop();
    }
  });

  it('takes an invoice through pre-checkout and payment to a refund, and refuses a second refund', async () => {
    const { bot, chat, seen, stop } = await startShop();
    try {
      chat.sendCommand('start');
      const welcome = await chat.waitForMessage();
      await chat.pressCallbackButton(welcome, { data: 'buy' });
      const invoice = await chat.waitForMessage((message) => message.invoice !== undefined);
      expect(invoice.invoice).toMatchObject({ title: 'Star pack', currency: 'XTR', total_amount: 100 });

      const outcome = await chat.payInvoice(invoice);
      if (outcome.status !== 'paid') throw new Error(`payment ended as ${outcome.status}`);
      expect(seen.preCheckoutPayloads).toEqual(['order-42']);
      expect(outcome.message.successful_payment).toMatchObject({ currency: 'XTR', total_amount: 100, invoice_payload: 'order-42' });
      expect(outcome.chargeId).toMatch(/^stx/);
      await chat.waitForMessage((message) => message.text === 'Thanks! Order order-42 is paid.');
      expect(seen.payments.map((payment) => payment.telegram_payment_charge_id)).toEqual([outcome.chargeId]);
      expect(await bot.api.getMyStarBalance()).toEqual({ amount: 100 });

      chat.sendCommand('refund', outcome.chargeId);
      await chat.waitForMessage((message) => message.text === 'Refund done');
      await waitUntil(() => seen.refunds.length === 1, 5000, 'the refunded_payment update');
      expect(seen.refunds[0]).toMatchObject({ telegram_payment_charge_id: outcome.chargeId, total_amount: 100 });
      expect(chat.messages().some((message) => message.refunded_payment?.telegram_payment_charge_id === outcome.chargeId)).toBe(true);
      expect(await bot.api.getMyStarBalance()).toEqual({ amount: 0 });

      chat.sendCommand('refund', outcome.chargeId);
      const second = await chat.waitForMessage((message) => message.text?.startsWith('Refund failed') ?? false);
      expect(second.text).toContain('Bad Request: CHARGE_ALREADY_REFUNDED');
      const { transactions } = await bot.api.getStarTransactions();
      expect(transactions.map((transaction) => [transaction.id, transaction.amount, transaction.source ? 'in' : 'out'])).toEqual([
        [outcome.chargeId, 100, 'in'],
        [outcome.chargeId, 100, 'out'],
      ]);
    } finally {
      await stop();
    }
  });

  it('gets 403 after the user blocks it and learns about it through my_chat_member', async () => {
    const { alice, bot, chat, seen, stop } = await startShop();
    try {
      chat.sendCommand('start');
      await chat.waitForMessage();

      chat.block();
      await waitUntil(() => seen.memberUpdates.length === 1, 5000, 'my_chat_member');
      expect(seen.memberUpdates[0]).toMatchObject({
        chat: { id: alice.id, type: 'private' },
        from: { id: alice.id },
        old_chat_member: { status: 'member' },
        new_chat_member: { status: 'kicked', until_date: 0 },
      });

      const failure = await bot.api.sendMessage(alice.id, 'Anyone there?').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GrammyError);
      expect(failure).toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });

      chat.unblock();
      await waitUntil(() => seen.memberUpdates.length === 2, 5000, 'the second my_chat_member');
      expect(seen.memberUpdates[1].new_chat_member.status).toBe('member');
      await bot.api.sendMessage(alice.id, 'Welcome back');
      await chat.waitForMessage((message) => message.text === 'Welcome back');
    } finally {
      await stop();
    }
  });
});

describe.each(transports.filter((transport) => transport.polls))('an idle grammY bot over $name', (transport) => {
  it('makes about one getUpdates call per long-polling timeout while idle', async () => {
    const idle = sandbox.createBot({ username: `idle${++botCounter}_bot` });
    const { bot } = createShopBot(idle.token, sandbox.apiRoot);
    const stop = await transport.start(bot, 1);
    try {
      const since = Date.now();
      await sleep(3300);
      const polls = sandbox.apiCalls(idle, 'getUpdates').filter((call) => call.at >= since);
      // With a 1 s timeout a well-behaved server answers each idle poll after ~1 s: 3 or 4 polls, not hundreds.
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(polls.length).toBeLessThanOrEqual(5);
      expect(polls.every((call) => call.params.timeout === '1')).toBe(true);
    } finally {
      await stop();
    }
  }, 10_000);
});
