import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { TelegramSandbox } from '../index.js';
import { expectTelegramError } from '../test-support/telegram-error.expectation.js';

const THIRTY_DAYS = 2_592_000;

describe('Telegram Stars payments', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false, preCheckoutTimeoutMs: 300 });
  let counter = 0;

  beforeAll(async () => {
    await sandbox.start();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  function setup(userInput: { starBalance?: number } = {}) {
    const bot = sandbox.createBot({ username: `stars${++counter}_bot` });
    const user = sandbox.createUser({ firstName: 'Alice', ...userInput });
    const chat = sandbox.chat(user, bot);
    chat.sendText('hello');
    const api = new Api(bot.token, { apiRoot: sandbox.apiRoot });
    let offset = 0;
    /** The next update of a type, confirming everything before it (what a polling bot would see). */
    const nextUpdate = async <K extends keyof Update>(type: K): Promise<NonNullable<Update[K]>> => {
      for (;;) {
        const updates = await api.getUpdates({ offset, timeout: 2 });
        if (updates.length === 0) throw new Error(`no ${String(type)} update arrived`);
        for (const update of updates) {
          offset = update.update_id + 1;
          if (update[type] !== undefined) return update[type] as NonNullable<Update[K]>;
        }
      }
    };
    return { bot, user, chat, api, nextUpdate };
  }

  const starInvoice = (api: Api, chatId: number, payload = 'order-1', amount = 100) =>
    api.sendInvoice(chatId, 'Star pack', 'Stars for tests', payload, 'XTR', [{ label: 'Pack', amount }]);

  describe('invoice validation', () => {
    it('requires exactly one price for Stars invoices', async () => {
      const { api, user } = setup();
      await expectTelegramError(
        api.sendInvoice(user.id, 'Pack', 'Two prices', 'p', 'XTR', [
          { label: 'A', amount: 1 },
          { label: 'B', amount: 2 },
        ]),
        400,
        'Bad Request: STARS_INVOICE_INVALID',
      );
    });

    it('requires a payload of 1 to 128 bytes', async () => {
      const { api, user } = setup();
      await expectTelegramError(starInvoice(api, user.id, 'é'.repeat(65)), 400, 'Bad Request: INVOICE_PAYLOAD_INVALID');
      await expectTelegramError(starInvoice(api, user.id, ''), 400, 'Bad Request: parameter "payload" is required');
      await expect(starInvoice(api, user.id, 'x'.repeat(128))).resolves.toMatchObject({ invoice: { total_amount: 100 } });
    });

    it('requires a provider token for fiat currencies and at least one price', async () => {
      const { api, user } = setup();
      await expectTelegramError(
        api.sendInvoice(user.id, 'Pack', 'Fiat', 'p', 'USD', [{ label: 'A', amount: 500 }]),
        400,
        'Bad Request: PAYMENT_PROVIDER_INVALID',
      );
      await expectTelegramError(api.sendInvoice(user.id, 'Pack', 'None', 'p', 'XTR', []), 400, 'Bad Request: there must be at least one price');
    });

    it('accepts only a 30-day period for Stars subscriptions', async () => {
      const { api } = setup();
      await expectTelegramError(
        api.createInvoiceLink('Club', 'Weekly', 'sub', '', 'XTR', [{ label: 'Week', amount: 10 }], { subscription_period: 604_800 }),
        400,
        'Bad Request: SUBSCRIPTION_PERIOD_INVALID',
      );
      await expectTelegramError(
        api.createInvoiceLink('Club', 'Fiat', 'sub', 'provider-token', 'USD', [{ label: 'Month', amount: 500 }], { subscription_period: THIRTY_DAYS }),
        400,
        'Bad Request: STARS_INVOICE_INVALID',
      );
      await expect(
        api.createInvoiceLink('Club', 'Monthly', 'sub', '', 'XTR', [{ label: 'Month', amount: 10 }], { subscription_period: THIRTY_DAYS }),
      ).resolves.toMatch(/^https:\/\/t\.me\/\$[\w-]+$/);
    });
  });

  describe('checkout', () => {
    it('charges after an ok pre-checkout answer, with a unique charge id and a Star transaction each time', async () => {
      const { api, user, chat, bot, nextUpdate } = setup();
      const invoice = await starInvoice(api, user.id);

      const chargeIds: string[] = [];
      for (let attempt = 0; attempt < 2; attempt++) {
        const payment = chat.payInvoice(invoice);
        const query = await nextUpdate('pre_checkout_query');
        expect(query).toMatchObject({ from: { id: user.id }, currency: 'XTR', total_amount: 100, invoice_payload: 'order-1' });
        await api.answerPreCheckoutQuery(query.id, true);
        const outcome = await payment;
        if (outcome.status !== 'paid') throw new Error(`payment ended as ${outcome.status}`);
        const message = await nextUpdate('message');
        expect(message.successful_payment?.telegram_payment_charge_id).toBe(outcome.chargeId);
        chargeIds.push(outcome.chargeId);
      }

      expect(new Set(chargeIds).size).toBe(2);
      expect(sandbox.payments(bot).map((payment) => payment.chargeId)).toEqual(chargeIds);
      const { transactions } = await api.getStarTransactions({ limit: 10 });
      expect(transactions.map((transaction) => transaction.id)).toEqual(chargeIds);
      expect(transactions[0].source).toMatchObject({ type: 'user', transaction_type: 'invoice_payment', user: { id: user.id }, invoice_payload: 'order-1' });
      await expect(api.getMyStarBalance()).resolves.toEqual({ amount: 200 });
    });

    it('leaves no payment when the bot declines the pre-checkout query', async () => {
      const { api, user, chat, bot, nextUpdate } = setup();
      const invoice = await starInvoice(api, user.id);
      const payment = chat.payInvoice(invoice);
      await api.answerPreCheckoutQuery((await nextUpdate('pre_checkout_query')).id, false, { error_message: 'Sold out' });

      await expect(payment).resolves.toEqual({ status: 'declined', errorMessage: 'Sold out' });
      expect(chat.messages().some((message) => message.successful_payment)).toBe(false);
      expect(sandbox.payments(bot)).toEqual([]);
      await expect(api.getStarTransactions()).resolves.toEqual({ transactions: [] });
    });

    it('requires an error message to decline', async () => {
      const { api, user, chat, nextUpdate } = setup();
      const payment = chat.payInvoice(await starInvoice(api, user.id));
      const query = await nextUpdate('pre_checkout_query');
      await expectTelegramError(api.answerPreCheckoutQuery(query.id, false), 400, 'Bad Request: parameter "error_message" is required');
      await api.answerPreCheckoutQuery(query.id, true);
      await expect(payment).resolves.toMatchObject({ status: 'paid' });
    });

    it('leaves no payment when the bot does not answer in time, and refuses the late answer', async () => {
      const { api, user, chat, bot, nextUpdate } = setup();
      const payment = chat.payInvoice(await starInvoice(api, user.id));
      const query = await nextUpdate('pre_checkout_query');

      await expect(payment).resolves.toEqual({ status: 'timeout' });
      await expectTelegramError(
        api.answerPreCheckoutQuery(query.id, true),
        400,
        'Bad Request: query is too old and response timeout expired or query ID is invalid',
      );
      expect(sandbox.payments(bot)).toEqual([]);
    });

    it('does not start a checkout the user cannot afford', async () => {
      const { api, user, chat, bot } = setup({ starBalance: 50 });
      const outcome = await chat.payInvoice(await starInvoice(api, user.id));
      expect(outcome).toEqual({ status: 'insufficient_stars', balance: 50, price: 100 });
      expect(sandbox.pendingUpdates(bot).some((update) => update.pre_checkout_query)).toBe(false);
    });

    it('answers refunds of unknown charges with CHARGE_NOT_FOUND', async () => {
      const { api, user } = setup();
      await expectTelegramError(api.refundStarPayment(user.id, 'stx-unknown'), 400, 'Bad Request: CHARGE_NOT_FOUND');
      await expectTelegramError(api.refundStarPayment(0, 'stx-unknown'), 400, 'Bad Request: invalid user_id specified');
    });
  });

  describe('subscriptions', () => {
    /** Time passes for the whole sandbox; only this test's bot's renewals matter here. */
    async function advance(context: ReturnType<typeof setup>, days: number) {
      return (await sandbox.advanceTime({ days })).filter((renewal) => renewal.botId === context.bot.id);
    }

    async function subscribe(context: ReturnType<typeof setup>) {
      const link = await context.api.createInvoiceLink('Club', 'Monthly access', 'club-monthly', '', 'XTR', [{ label: 'Month', amount: 25 }], {
        subscription_period: THIRTY_DAYS,
      });
      const payment = context.chat.payInvoice(link);
      await context.api.answerPreCheckoutQuery((await context.nextUpdate('pre_checkout_query')).id, true);
      const outcome = await payment;
      if (outcome.status !== 'paid') throw new Error(`payment ended as ${outcome.status}`);
      return { chargeId: outcome.chargeId, first: (await context.nextUpdate('message')).successful_payment! };
    }

    it('renews every 30 days with a new recurring payment', async () => {
      const context = setup();
      const paidAt = Math.floor(sandbox.now().getTime() / 1000);
      const { chargeId, first } = await subscribe(context);
      expect(first).toMatchObject({ is_recurring: true, is_first_recurring: true, total_amount: 25, invoice_payload: 'club-monthly' });
      expect(first.subscription_expiration_date! - paidAt).toBeGreaterThanOrEqual(THIRTY_DAYS);
      expect(first.subscription_expiration_date! - paidAt).toBeLessThanOrEqual(THIRTY_DAYS + 2);

      await expect(advance(context, 29)).resolves.toEqual([]);
      const renewals = await advance(context, 1);
      expect(renewals).toEqual([expect.objectContaining({ status: 'renewed', userId: context.user.id, chargeId: expect.any(String) })]);

      const renewal = (await context.nextUpdate('message')).successful_payment!;
      expect(renewal.is_recurring).toBe(true);
      expect(renewal.is_first_recurring).toBeUndefined();
      expect(renewal.telegram_payment_charge_id).toBe(renewals[0].chargeId);
      expect(renewal.telegram_payment_charge_id).not.toBe(chargeId);
      expect(renewal.subscription_expiration_date).toBe(first.subscription_expiration_date! + THIRTY_DAYS);
      const { transactions } = await context.api.getStarTransactions();
      expect(transactions.map((transaction) => transaction.source)).toEqual([
        expect.objectContaining({ subscription_period: THIRTY_DAYS }),
        expect.objectContaining({ subscription_period: THIRTY_DAYS }),
      ]);
    });

    it('stops renewing once the bot cancels, and renews again when the bot resumes before expiry', async () => {
      const context = setup();
      const { chargeId } = await subscribe(context);

      await context.api.editUserStarSubscription(context.user.id, chargeId, true);
      await context.api.editUserStarSubscription(context.user.id, chargeId, false);
      await expect(advance(context, 30)).resolves.toEqual([expect.objectContaining({ status: 'renewed' })]);

      await context.api.editUserStarSubscription(context.user.id, chargeId, true);
      await expect(advance(context, 30)).resolves.toEqual([expect.objectContaining({ status: 'expired' })]);
      await expect(advance(context, 30)).resolves.toEqual([]);
      expect(sandbox.subscriptions(context.bot)).toEqual([
        expect.objectContaining({ ended: true, canceledBy: 'bot', chargeIds: [chargeId, expect.any(String)] }),
      ]);
    });

    it('does not let the bot resume a subscription the user cancelled', async () => {
      const context = setup();
      const { chargeId } = await subscribe(context);
      context.chat.cancelSubscription(chargeId);
      await expectTelegramError(context.api.editUserStarSubscription(context.user.id, chargeId, false), 400, 'Bad Request: SUBSCRIPTION_CANCELED_BY_USER');
      await expect(advance(context, 30)).resolves.toEqual([expect.objectContaining({ status: 'expired' })]);
    });

    it('ends the subscription when the user cannot pay the renewal', async () => {
      const context = setup({ starBalance: 30 });
      await subscribe(context);
      expect(sandbox.starBalanceOf(context.user)).toBe(5);
      await expect(advance(context, 30)).resolves.toEqual([expect.objectContaining({ status: 'insufficient_stars' })]);
      expect(sandbox.payments(context.bot)).toHaveLength(1);
      expect(await context.nextUpdate('subscription')).toEqual({
        user: expect.objectContaining({ id: context.user.id }),
        invoice_payload: 'club-monthly',
        state: 'failed',
      });
    });

    it('sends the subscription update when the user cancels and re-enables it in Telegram', async () => {
      const context = setup();
      const { chargeId } = await subscribe(context);
      context.chat.cancelSubscription(chargeId);
      expect(await context.nextUpdate('subscription')).toEqual({
        user: expect.objectContaining({ id: context.user.id }),
        invoice_payload: 'club-monthly',
        state: 'canceled',
      });
      context.chat.resumeSubscription(chargeId);
      expect(await context.nextUpdate('subscription')).toEqual(expect.objectContaining({ invoice_payload: 'club-monthly', state: 'active' }));
      // Re-enabled: the next period is charged again.
      await expect(advance(context, 30)).resolves.toEqual([expect.objectContaining({ status: 'renewed' })]);
    });

    it('lets the user re-enable only what they cancelled themselves', async () => {
      const context = setup();
      const { chargeId } = await subscribe(context);
      expect(() => context.chat.resumeSubscription(chargeId)).toThrow(/No subscription cancelled by the user/);
      await context.api.editUserStarSubscription(context.user.id, chargeId, true);
      expect(() => context.chat.resumeSubscription(chargeId)).toThrow(/No subscription cancelled by the user/);
    });
  });
});
