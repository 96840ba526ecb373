import type { FeatureTestKit, KitBot } from '@botplatform/bot-kit';
import type { RpcClient } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import { FakeCryptoPay } from '@botplatform/payments';
import type { RunningService } from '@botplatform/service-kit';
import type { SandboxChat } from '@botplatform/telegram-sandbox';
import { waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  periodDays: 31,
  prices: [
    { currency: 'USD', amount: '499' },
    { currency: 'XTR', amount: '250' },
  ],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

/** A plan priced in Stars only: neither provider has a price of it to take. */
const STARS_ONLY: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Week', description: 'Premium for a week' }],
  periodDays: 7,
  prices: [{ currency: 'XTR', amount: '100' }],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 2,
};

/** 0.50 USD: below Telegram's 1 USD least invoice, so only Crypto Pay can sell it. */
const TIP: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Tip', description: 'A day of premium' }],
  periodDays: 1,
  prices: [
    { currency: 'USD', amount: '50' },
    { currency: 'XTR', amount: '25' },
  ],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 3,
};

const PROVIDER_TOKEN = '284685063:TEST:plan-providers-e2e';
const APP_TOKEN = '4343:AAcryptoPayTokenOfThePlanProvidersShop';

const text = (message: Message) => message.text ?? '';
const buttonsOf = (message: Message) =>
  (message.reply_markup?.inline_keyboard ?? []).flat().map((button) => ('url' in button ? `${button.text} → ${button.url}` : button.text));

/**
 * Buying from /plans through the bot's other providers, as a member does it: the plan's card offers a
 * button for each provider the bot enabled that can price the plan ("Pay by card (Telegram)" for
 * Telegram Payments with the bot's provider token, "Pay with crypto" for Crypto Pay); the fiat button
 * sends an invoice in the plan's fiat price which the sandbox pays through Telegram's pre-checkout and
 * `successful_payment`, the crypto button a URL button to the fake Crypto Pay's page whose signed webhook
 * completes the payment; each grants the plan once. A bot without providers, and a plan without a fiat
 * price, show no such button. Subscriptions and payments on one in-process broker, the sandbox as Telegram.
 */
describe('Buying from /plans through the Telegram Payments and Crypto Pay providers', () => {
  let harness: ShopHarness | undefined;
  let subscriptions: RunningService;
  let payments: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let shop: KitBot;
  const fake = new FakeCryptoPay();
  let monthId: string;
  let tipId: string;

  const typesOf = async (service: RunningService, streamId: string) =>
    (await service.dependencies.store.readStream(streamId)).events.map((event) => event.type);
  const paymentsOf = (user: number) =>
    payments.dependencies.orm.em
      .fork()
      .getConnection()
      .execute<{ payment_id: string; provider: string; status: string; currency: string; amount: string; charge_id: string | null }[]>(
        'SELECT payment_id, provider, status, currency, amount::text AS amount, charge_id FROM payments.payments WHERE telegram_user_id = ? ORDER BY created_at',
        [user],
      );
  /** /plans → the plan's card: the card message. */
  const card = async (chat: SandboxChat, button: string, title: string) => {
    const menu = chat.waitForMessage((message) => message.reply_markup !== undefined && text(message) !== '');
    chat.sendCommand('plans');
    const edited = chat.waitForEdit((message) => text(message).startsWith(title));
    await chat.pressCallbackButton(await menu, button);
    return edited;
  };

  beforeAll(async () => {
    await fake.start();
    harness = await startShopHarness('bp_plan_providers');
    ({ subscriptions, payments, rpc, kit, shop } = harness);
    monthId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId: monthId, botId: shop.botId, plan: MONTH });
    await rpc.call(RPC.subscriptions.createPlan, { planId: randomUUID(), botId: shop.botId, plan: STARS_ONLY });
    tipId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId: tipId, botId: shop.botId, plan: TIP });
    fake.createApp(APP_TOKEN, `${payments.url}/webhooks/crypto-pay/${shop.botId}`);
    await rpc.call(RPC.payments.setProviderSettings, {
      botId: shop.botId,
      provider: 'telegram-fiat',
      enabled: true,
      secrets: { providerToken: PROVIDER_TOKEN },
      updatedBy: 'operator',
    });
    await rpc.call(RPC.payments.setProviderSettings, {
      botId: shop.botId,
      provider: 'crypto-pay',
      enabled: true,
      secrets: { apiToken: APP_TOKEN, apiUrl: fake.url },
      updatedBy: 'operator',
    });
  });

  afterAll(async () => {
    await harness?.close();
    await fake.stop();
  });

  it('offers both providers on a plan with a fiat price, in the member language; only the one whose bounds take the price; none on a Stars-only plan', async () => {
    expect(await rpc.call(RPC.payments.getPaymentMethods, { botId: shop.botId, planId: monthId })).toMatchObject({
      providers: ['telegram-fiat', 'crypto-pay'],
    });
    const en = shop.chat(kit.user('Eve', 'en'));
    expect(buttonsOf(await card(en, 'Month · ⭐ 250 / 4.99 USD', 'Month'))).toEqual([
      'Buy',
      'Pay from wallet',
      'Pay by card (Telegram)',
      'Pay with crypto',
      '« Back',
    ]);
    expect(buttonsOf(await card(en, 'Week · ⭐ 100', 'Week'))).toEqual(['Buy', 'Pay from wallet', '« Back']);
    expect(await rpc.call(RPC.payments.getPaymentMethods, { botId: shop.botId, planId: tipId })).toMatchObject({ providers: ['crypto-pay'] });
    expect(buttonsOf(await card(en, 'Tip · ⭐ 25 / 0.50 USD', 'Tip'))).toEqual(['Buy', 'Pay from wallet', 'Pay with crypto', '« Back']);
    const ru = shop.chat(kit.user('Рита', 'ru'));
    expect(buttonsOf(await card(ru, 'Месяц · ⭐ 250 / 4.99 USD', 'Месяц'))).toEqual([
      'Купить',
      'Оплатить из кошелька',
      'Оплатить картой (Telegram)',
      'Оплатить криптовалютой',
      '« Назад',
    ]);
    expect(kit.errors).toEqual([]);
  });

  it('"Pay by card (Telegram)": an invoice in the plan USD price with the bot provider token; paid in the sandbox, the plan starts once', async () => {
    const olga = kit.user('Olga', 'en');
    const chat = shop.chat(olga);
    const invoiceMessage = chat.waitForMessage((message) => message.invoice !== undefined);
    const answer = await chat.pressCallbackButton(await card(chat, 'Month · ⭐ 250 / 4.99 USD', 'Month'), 'Pay by card (Telegram)');
    expect(answer.showAlert).toBe(false);
    const invoice = await invoiceMessage;
    expect(invoice.invoice).toMatchObject({ title: 'Month', currency: 'USD', total_amount: 499 });
    const [pending] = await paymentsOf(olga.id);
    expect(pending).toMatchObject({ provider: 'telegram-fiat', status: 'pending', currency: 'USD', amount: '499' });
    expect(kit.sandbox.apiCalls(shop.telegram, 'sendInvoice').map((call) => [call.params.provider_token, call.params.payload])).toEqual([
      [PROVIDER_TOKEN, pending!.payment_id],
    ]);

    expect((await chat.payInvoice(invoice)).status).toBe('paid');
    await waitFor('the fiat payment to complete', async () => (await paymentsOf(olga.id))[0]?.status === 'completed', { timeoutMs: 10_000 });
    await waitFor('the grant', async () => (await typesOf(subscriptions, `subscription-${shop.botId}-${olga.id}`)).length > 0, { timeoutMs: 10_000 });
    // The same invoice paid again: payments' pre-checkout declines it (already paid), nothing charged twice.
    expect(await chat.payInvoice(invoice)).toMatchObject({ status: 'declined' });
    expect(kit.sandbox.payments(shop.telegram).filter((payment) => payment.userId === olga.id)).toHaveLength(1);
    const [charge] = kit.sandbox.payments(shop.telegram).filter((payment) => payment.userId === olga.id);
    expect(charge).toMatchObject({ currency: 'USD', amount: 499, payload: pending!.payment_id });
    expect(await paymentsOf(olga.id)).toEqual([expect.objectContaining({ provider: 'telegram-fiat', status: 'completed', charge_id: charge!.chargeId })]);
    expect(await typesOf(payments, `payment-${pending!.payment_id}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${olga.id}`)).toEqual(['SubscriptionStarted']);
    expect((await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(olga.id) })).hasAccess).toBe(true);
    expect(kit.errors).toEqual([]);
  });

  it('"Pay with crypto": a URL button to the Crypto Pay page; its signed webhook, delivered three times at once, starts the plan once', async () => {
    const ivan = kit.user('Ivan', 'en');
    const chat = shop.chat(ivan);
    const payMessage = chat.waitForMessage((message) => text(message).startsWith('Month: pay with crypto'));
    const answer = await chat.pressCallbackButton(await card(chat, 'Month · ⭐ 250 / 4.99 USD', 'Month'), 'Pay with crypto');
    expect(answer.showAlert).toBe(false);
    const message = await payMessage;
    const [pending] = await paymentsOf(ivan.id);
    expect(pending).toMatchObject({ provider: 'crypto-pay', status: 'pending', currency: 'USD', amount: '499' });
    const invoice = fake.invoiceWithPayload(pending!.payment_id)!;
    expect(invoice).toMatchObject({ currency_type: 'fiat', fiat: 'USD', amount: '4.99', status: 'active' });
    expect(text(message)).toBe("Month: pay with crypto on Crypto Pay's page. The plan starts as soon as the payment arrives.");
    expect(buttonsOf(message)).toEqual([`Pay with crypto → ${invoice.bot_invoice_url}`]);

    const paid = await fake.pay(invoice.invoice_id, { deliver: false });
    expect(await Promise.all([1, 2, 3].map(() => fake.deliver(APP_TOKEN, paid.body)))).toEqual([200, 200, 200]);
    expect(await fake.deliver(APP_TOKEN, paid.body)).toBe(200);
    await waitFor('the grant', async () => (await typesOf(subscriptions, `subscription-${shop.botId}-${ivan.id}`)).length > 0, { timeoutMs: 10_000 });
    expect(await paymentsOf(ivan.id)).toEqual([
      expect.objectContaining({ provider: 'crypto-pay', status: 'completed', charge_id: `crypto-pay:${invoice.invoice_id}` }),
    ]);
    expect(await typesOf(payments, `payment-${pending!.payment_id}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${ivan.id}`)).toEqual(['SubscriptionStarted']);
    expect(kit.errors).toEqual([]);
  });

  it('a provider turned off since the card was shown: its button refuses in an alert and orders nothing', async () => {
    const nina = kit.user('Nina', 'en');
    const chat = shop.chat(nina);
    const shown = await card(chat, 'Month · ⭐ 250 / 4.99 USD', 'Month');
    await rpc.call(RPC.payments.setProviderSettings, { botId: shop.botId, provider: 'crypto-pay', enabled: false, updatedBy: 'operator' });
    try {
      expect(await chat.pressCallbackButton(shown, 'Pay with crypto')).toMatchObject({
        showAlert: true,
        text: 'This way of paying is no longer available for this plan. Nothing was charged.',
      });
      expect(await paymentsOf(nina.id)).toEqual([]);
      expect(buttonsOf(await card(chat, 'Month · ⭐ 250 / 4.99 USD', 'Month'))).toEqual(['Buy', 'Pay from wallet', 'Pay by card (Telegram)', '« Back']);
    } finally {
      await rpc.call(RPC.payments.setProviderSettings, { botId: shop.botId, provider: 'crypto-pay', enabled: true, updatedBy: 'operator' });
    }
    expect(kit.errors).toEqual([]);
  });

  it('a bot without providers shows no provider button on the same plan', async () => {
    const plain = await kit.bot({ name: 'Plain' });
    const planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: plain.botId, plan: MONTH });
    expect(await rpc.call(RPC.payments.getPaymentMethods, { botId: plain.botId, planId })).not.toHaveProperty('providers.0');
    const chat = plain.chat(kit.user('Pavel', 'en'));
    expect(buttonsOf(await card(chat, 'Month · ⭐ 250 / 4.99 USD', 'Month'))).toEqual(['Buy', 'Pay from wallet', '« Back']);
    expect(kit.errors).toEqual([]);
  });
});
