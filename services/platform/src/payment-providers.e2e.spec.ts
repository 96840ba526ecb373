import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import { FakeCryptoPay, paymentsService } from '@botplatform/payments';
import { createRpcClient, type RpcTransport } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { waitFor } from '@botplatform/testing';
import type { Message } from 'grammy/types';
import type { RunningPlatform } from './platform.js';
import { startSandboxedPlatform, type HostedBot, type SandboxedPlatform } from './testing/sandboxed-platform.js';

const MONTH: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Month', description: 'Premium for a month' }],
  periodDays: 31,
  prices: [
    { currency: 'USD', amount: '499' },
    { currency: 'XTR', amount: '250' },
  ],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

/**
 * Payment providers beyond Stars through the whole platform (embedded: in-process bus and request/reply),
 * the sandbox as Telegram and the fake Crypto Pay as a local HTTP server: a Crypto Pay invoice paid and
 * its webhook delivered three times at once completes one payment and grants the plan once; a fiat
 * invoice with the bot's provider token goes through Telegram's pre-checkout and `successful_payment`
 * and grants the plan.
 */
describe('Payment providers (embedded platform)', () => {
  let bus: EmbeddedEventBus;
  let rpcTransport: RpcTransport;
  let platform: RunningPlatform;
  let sandbox: TelegramSandbox;
  let rpc: RpcClient;
  const fake = new FakeCryptoPay();
  let harness: SandboxedPlatform;
  let shop: HostedBot;
  let planId: string;

  const paymentEvents = async (paymentId: string): Promise<readonly RecordedEvent[]> =>
    (await platform.services.get('payments')!.dependencies.store.readStream(`payment-${paymentId}`)).events;
  const subscriptionEvents = async (user: SandboxUser) =>
    (await platform.services.get('subscriptions')!.dependencies.store.readStream(`subscription-${shop.botId}-${user.id}`)).events;
  const typesOf = (events: readonly RecordedEvent[]) => events.map((event) => event.type);
  /** The read model's provider and the one `payments.payment.completed.v1` carries, which must agree. */
  const providerOf = async (paymentId: string) => {
    const payments = platform.services.get('payments')!;
    const [row] = await payments.dependencies.orm.em
      .fork()
      .getConnection()
      .execute<{ provider: string }[]>('SELECT provider FROM payments.payments WHERE payment_id = ?', [paymentId]);
    const completed = (await paymentEvents(paymentId)).find((event) => event.type === 'PaymentCompleted')!;
    const published = (paymentsService.toPublic!(completed)?.message as { provider?: string } | undefined)?.provider;
    return row?.provider === published ? published : `read model ${row?.provider}, event ${published}`;
  };
  const start = async (chat: SandboxChat) => {
    const answer = chat.waitForMessage(() => true, { timeoutMs: 10_000 });
    chat.sendCommand('start');
    await answer;
  };

  beforeAll(async () => {
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    rpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    await fake.start();
    harness = await startSandboxedPlatform({ prefix: 'bp_providers', transports: { bus: () => bus, rpc: () => rpcTransport, close: () => bus.close() } });
    ({ sandbox, platform } = harness);
    shop = await harness.registerBot({ username: 'providers_shop_bot', name: 'Providers shop' });
    rpc = createRpcClient(rpcTransport);
    const created = await fetch(`${platform.services.get('subscriptions')!.url}/admin/bots/${shop.botId}/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shop.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(MONTH),
    });
    expect(created.status).toBe(201);
    planId = ((await created.json()) as { plan: { planId: string } }).plan.planId;
  });

  afterAll(async () => {
    await rpc?.close();
    await harness?.close();
    await fake.stop();
  });

  it('Crypto Pay: the member gets a pay URL; the paid invoice, its webhook delivered three times at once and once more, completes one payment and grants once', async () => {
    const appToken = '4242:AAcryptoPayTokenOfTheProvidersShop';
    fake.createApp(appToken, `${platform.services.get('payments')!.url}/webhooks/crypto-pay/${shop.botId}`);
    await rpc.call(RPC.payments.setProviderSettings, {
      botId: shop.botId,
      provider: 'crypto-pay',
      enabled: true,
      secrets: { apiToken: appToken, apiUrl: fake.url },
      updatedBy: 'operator',
    });
    const ivan = sandbox.createUser({ firstName: 'Ivan', languageCode: 'en' });
    await start(sandbox.chat(ivan, shop.sandbox));

    const order = await rpc.call(RPC.payments.createPayment, {
      botId: shop.botId,
      telegramUserId: String(ivan.id),
      planId,
      provider: 'crypto-pay',
      language: 'en',
    });
    expect(order.invoice).toBeUndefined();
    const invoice = fake.invoiceWithPayload(order.paymentId!);
    expect(invoice).toMatchObject({ currency_type: 'fiat', fiat: 'USD', amount: '4.99', status: 'active' });
    expect(order.payUrl).toBe(invoice!.bot_invoice_url);
    expect(typesOf(await paymentEvents(order.paymentId!))).toEqual(['PaymentCreated']);

    // Paid on Crypto Pay's page; its update arrives three times at once (Crypto Pay retries, a proxy duplicates).
    const paid = await fake.pay(invoice!.invoice_id, { deliver: false });
    expect(await Promise.all([1, 2, 3].map(() => fake.deliver(appToken, paid.body)))).toEqual([200, 200, 200]);
    // And once more later: still nothing new.
    expect(await fake.deliver(appToken, paid.body)).toBe(200);

    const events = await paymentEvents(order.paymentId!);
    expect(typesOf(events)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(events[1]!.data).toMatchObject({ chargeId: `crypto-pay:${invoice!.invoice_id}`, currency: 'USD', amount: '499', provider: 'crypto-pay' });
    expect(await providerOf(order.paymentId!)).toBe('crypto-pay');
    expect(typesOf(await subscriptionEvents(ivan))).toEqual(['SubscriptionStarted']);
    expect((await rpc.call(RPC.payments.listParkedWebhooks, { botId: shop.botId })).webhooks ?? []).toEqual([]);

    // A signed update for a real order but another amount pays nothing: parked for an operator.
    const second = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: String(ivan.id), planId, provider: 'crypto-pay' });
    expect(await fake.deliver(appToken, fake.foreignUpdate({ payload: second.paymentId!, amount: '0.01' }))).toBe(200);
    expect(typesOf(await paymentEvents(second.paymentId!))).toEqual(['PaymentCreated']);
    const parked = await rpc.call(RPC.payments.listParkedWebhooks, { botId: shop.botId });
    expect(parked.webhooks?.map((webhook) => [webhook.paymentId, webhook.reason])).toEqual([[second.paymentId, 'amount-mismatch']]);
    expect(typesOf(await subscriptionEvents(ivan))).toEqual(['SubscriptionStarted']);
  });

  it("Telegram Payments with the bot's provider token: a USD invoice, Telegram's pre-checkout and successful_payment, the plan granted once", async () => {
    const refused = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: '1', planId, provider: 'telegram-fiat' }).then(
      () => 'created',
      (error: { code: string }) => error.code,
    );
    expect(refused).toBe('PAYMENTS.PROVIDER_NOT_ENABLED');
    await rpc.call(RPC.payments.setProviderSettings, {
      botId: shop.botId,
      provider: 'telegram-fiat',
      enabled: true,
      secrets: { providerToken: '284685063:TEST:providers-e2e' },
      updatedBy: 'operator',
    });
    const olga = sandbox.createUser({ firstName: 'Olga', languageCode: 'en' });
    const chat = sandbox.chat(olga, shop.sandbox);
    await start(chat);

    const order = await rpc.call(RPC.payments.createPayment, {
      botId: shop.botId,
      telegramUserId: String(olga.id),
      planId,
      provider: 'telegram-fiat',
      language: 'en',
    });
    expect(order.invoice).toMatchObject({
      currency: 'USD',
      prices: [{ label: 'Month', amount: '499' }],
      providerToken: '284685063:TEST:providers-e2e',
      payload: order.paymentId,
    });
    // Ordered by RPC here (plan-providers.e2e.spec.ts presses /plans' button): the invoice payments made is sent as the gateway would send it.
    const delivered = chat.waitForMessage((message: Message) => message.invoice !== undefined, { timeoutMs: 10_000 });
    const sent = await fetch(`${sandbox.apiRoot}/bot${shop.sandbox.token}/sendInvoice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        chat_id: olga.id,
        title: order.invoice!.title,
        description: order.invoice!.description,
        payload: order.invoice!.payload,
        provider_token: order.invoice!.providerToken,
        currency: order.invoice!.currency,
        prices: order.invoice!.prices!.map((price) => ({ label: price.label, amount: Number(price.amount) })),
      }),
    });
    expect(sent.status).toBe(200);
    const invoiceMessage = await delivered;
    expect(invoiceMessage.invoice).toMatchObject({ currency: 'USD', total_amount: 499 });

    const outcome = await chat.payInvoice(invoiceMessage);
    expect(outcome.status).toBe('paid');
    await waitFor('the payment to complete', async () => typesOf(await paymentEvents(order.paymentId!)).includes('PaymentCompleted'), { timeoutMs: 10_000 });
    const [charge] = sandbox.payments(shop.sandbox).filter((payment) => payment.userId === olga.id);
    expect(charge).toMatchObject({ currency: 'USD', amount: 499 });
    expect((await paymentEvents(order.paymentId!))[1]!.data).toMatchObject({
      chargeId: charge!.chargeId,
      currency: 'USD',
      amount: '499',
      provider: 'telegram-fiat',
    });
    expect(await providerOf(order.paymentId!)).toBe('telegram-fiat');
    await waitFor('the grant', async () => (await subscriptionEvents(olga)).length > 0, { timeoutMs: 10_000 });
    expect(typesOf(await subscriptionEvents(olga))).toEqual(['SubscriptionStarted']);
  });
});
