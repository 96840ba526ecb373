import { type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type BotUpdateJson, type PlanDefinitionJson } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import type { Message } from 'grammy/types';
import type { RunningPlatform } from './platform.js';
import { startSandboxedPlatform, type HostedBot, type SandboxedPlatform } from './testing/sandboxed-platform.js';
import { platformWirings, type PlatformWiring } from './testing/platform-wiring.js';

const modes = platformWirings('stars');

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  // 31 days: a one-off invoice (a 30-day plan is sold as a Stars subscription, see stars-subscription.e2e.spec.ts).
  periodDays: 31,
  prices: [
    { currency: 'EUR', amount: '499' },
    { currency: 'XTR', amount: '250' },
  ],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const text = (message: Message) => message.text ?? '';
const isInvoice = (message: Message) => message.invoice !== undefined;

/**
 * Buying a plan with Telegram Stars through the whole platform, the sandbox as Telegram: subscriptions'
 * "Buy" orders the invoice from payments, the gateway sends it, the sandbox user pays, payments answers
 * the pre-checkout and completes the payment on `successful_payment`, subscriptions grants the plan once;
 * a refund goes through the gateway's `refundStarPayment` and revokes the access once.
 */
describe.each(Object.keys(modes))('Telegram Stars purchases (%s)', (mode) => {
  let wiring: PlatformWiring;
  let platform: RunningPlatform;
  let sandbox: TelegramSandbox;
  const clients = new Map<string, RpcClient>();
  let harness: SandboxedPlatform;
  let shop: HostedBot;

  const clientAs = (user: string) => {
    if (!clients.has(user)) clients.set(user, createRpcClient(wiring.as(user)));
    return clients.get(user)!;
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as RpcCallError,
    );
  const plansApi = (path: string, init: RequestInit = {}) =>
    fetch(`${platform.services.get('subscriptions')!.url}/admin/bots/${shop.botId}/plans${path}`, {
      ...init,
      headers: { authorization: `Bearer ${shop.apiToken}`, 'content-type': 'application/json' },
    });
  const createPlan = async (plan: PlanDefinitionJson) => {
    const response = await plansApi('', { method: 'POST', body: JSON.stringify(plan) });
    expect(response.status).toBe(201);
    return ((await response.json()) as { plan: { planId: string } }).plan.planId;
  };
  const subscriptionEvents = async (user: SandboxUser) =>
    (await platform.services.get('subscriptions')!.dependencies.store.readStream(`subscription-${shop.botId}-${user.id}`)).events;
  const paymentEvents = async (paymentId: string): Promise<readonly RecordedEvent[]> =>
    (await platform.services.get('payments')!.dependencies.store.readStream(`payment-${paymentId}`)).events;
  const typesOf = (events: readonly RecordedEvent[]) => events.map((event) => event.type);
  /** `/subscription`'s answer (plan, trial, none or ended), not a notification about the subscription. */
  const isStatus = (answer: string) => /^(Тариф|Пробный период:|У вас нет подписки|Ваша подписка закончилась \S)/.test(answer);
  /**
   * Sends a command and returns the bot's answer to it: the first message `isAnswer` accepts, since the
   * notifications service's messages (a subscription started) arrive in the same chat whenever their
   * events are handled.
   */
  const ask = async (chat: SandboxChat, command: string, isAnswer: (text: string) => boolean = () => true) => {
    const answer = chat.waitForMessage((message) => isAnswer(text(message)), { timeoutMs: 10_000 });
    chat.sendCommand(command);
    return text(await answer);
  };

  /** A member opens /plans, opens the plan's card and presses Buy: the invoice message the bot sent. */
  const buy = async (chat: SandboxChat, button: string, buyText = 'Купить') => {
    const menu = chat.waitForMessage((message) => message.text === 'Выберите тариф:', { timeoutMs: 10_000 });
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, button, { timeoutMs: 10_000 });
    const card = await chat.waitForEdit((message) => message.text?.startsWith(button.split(' · ')[0]!) === true, { timeoutMs: 10_000 });
    const invoice = chat.waitForMessage(isInvoice, { timeoutMs: 10_000 });
    const answer = await chat.pressCallbackButton(card, buyText, { timeoutMs: 10_000 });
    expect(answer.showAlert ?? false).toBe(false);
    return invoice;
  };

  beforeAll(async () => {
    wiring = await modes[mode]();
    harness = await startSandboxedPlatform({ prefix: 'bp_stars', transports: wiring });
    ({ sandbox, platform } = harness);
    shop = await harness.registerBot({ username: 'stars_shop_bot', name: 'Stars shop' });
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await harness?.close();
  });

  it('sells a plan for Stars end to end: Buy → invoice → pre-checkout → successful_payment → /subscription shows it; a duplicated update grants once; a refund revokes once', async () => {
    await createPlan(MONTH);
    const vera = sandbox.createUser({ firstName: 'Vera', languageCode: 'ru' });
    const chat = sandbox.chat(vera, shop.sandbox);
    await ask(chat, 'start');

    const invoice = await buy(chat, 'Месяц · ⭐ 250 / 4.99 EUR');
    expect(invoice.invoice).toMatchObject({ title: 'Месяц', description: 'Премиум на месяц', currency: 'XTR', total_amount: 250 });

    const thanks = chat.waitForMessage((message) => text(message).startsWith('Спасибо!'), { timeoutMs: 10_000 });
    const outcome = await chat.payInvoice(invoice);
    expect(outcome.status).toBe('paid');
    expect(text(await thanks)).toMatch(/^Спасибо! Месяц ваш до \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)\.$/);
    const [charge] = sandbox.payments(shop.sandbox).filter((payment) => payment.userId === vera.id);
    expect(charge).toMatchObject({ currency: 'XTR', amount: 250, refunded: false });
    const paymentId = charge!.payload;
    expect(typesOf(await paymentEvents(paymentId))).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect((await paymentEvents(paymentId))[1]!.data).toMatchObject({ chargeId: charge!.chargeId, amount: '250', currency: 'XTR' });
    expect(typesOf(await subscriptionEvents(vera))).toEqual(['SubscriptionStarted']);
    expect(await ask(chat, 'subscription', isStatus)).toContain('Месяц');

    // Telegram delivers the same successful_payment again: the gateway routes it to payments once more.
    const duplicate: BotUpdateJson = {
      context: { botId: shop.botId, botName: 'Stars shop', member: { telegramUserId: String(vera.id), firstName: 'Vera' }, language: 'ru', timeZone: 'UTC' },
      updateId: '900000001',
      chatId: String(vera.id),
      message: {
        kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
        messageId: '77',
        successfulPayment: { currency: 'XTR', totalAmount: '250', invoicePayload: paymentId, telegramPaymentChargeId: charge!.chargeId },
      },
    };
    const again = await clientAs('gateway').call(RPC.payments.handleBotUpdate, duplicate);
    expect(again.actions ?? []).toEqual([]);
    expect(typesOf(await paymentEvents(paymentId))).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(typesOf(await subscriptionEvents(vera))).toEqual(['SubscriptionStarted']);
    expect(chat.botMessages().filter((message) => text(message).startsWith('Спасибо!'))).toHaveLength(1);

    // The operator refunds: Telegram gives the Stars back, the access is revoked, the member is told.
    const refundedNote = chat.waitForMessage((message) => text(message) === 'Ваш платёж ⭐ 250 возвращён.', { timeoutMs: 10_000 });
    const refund = { botId: shop.botId, paymentId, reason: 'asked by the member', refundedBy: 'operator:e2e' };
    const refunded = await clientAs('operator').call(RPC.payments.refundPayment, refund);
    expect(refunded.payment).toMatchObject({ paymentId, status: 'PAYMENT_STATUS_REFUNDED', chargeId: charge!.chargeId });
    expect(sandbox.payments(shop.sandbox).find((payment) => payment.chargeId === charge!.chargeId)?.refunded).toBe(true);
    await refundedNote;
    const revoked = await subscriptionEvents(vera);
    expect(typesOf(revoked)).toEqual(['SubscriptionStarted', 'SubscriptionRevoked']);
    expect(revoked[1]!.data).toMatchObject({ reason: 'refund', revokedBy: 'operator:e2e' });
    expect(await ask(chat, 'subscription', isStatus)).not.toContain('Месяц');

    // A second refund of the same payment is a typed error: Telegram is not asked, nothing is revoked again.
    const refundCalls = sandbox.apiCalls(shop.sandbox, 'refundStarPayment').length;
    expect((await failure(clientAs('operator').call(RPC.payments.refundPayment, refund))).code).toBe('PAYMENTS.ALREADY_REFUNDED');
    expect(sandbox.apiCalls(shop.sandbox, 'refundStarPayment')).toHaveLength(refundCalls);
    expect(typesOf(await subscriptionEvents(vera))).toEqual(['SubscriptionStarted', 'SubscriptionRevoked']);
    expect(typesOf(await paymentEvents(paymentId))).toEqual(['PaymentCreated', 'PaymentCompleted', 'PaymentRefunded']);
    // The same charge's update after the refund gives nothing back.
    await clientAs('gateway').call(RPC.payments.handleBotUpdate, { ...duplicate, updateId: '900000002' });
    expect(typesOf(await subscriptionEvents(vera))).toEqual(['SubscriptionStarted', 'SubscriptionRevoked']);

    // The gateway's refund names Telegram's refusals with typed errors (asked as payments, its only caller).
    const refundStars = (request: { botId: string; telegramUserId: string; telegramPaymentChargeId: string }) =>
      failure(clientAs('payments').call(RPC.gateway.refundStarPayment, request));
    const stars = { botId: shop.botId, telegramUserId: String(vera.id), telegramPaymentChargeId: charge!.chargeId };
    expect((await refundStars(stars)).code).toBe('GATEWAY.CHARGE_ALREADY_REFUNDED');
    expect((await refundStars({ ...stars, telegramPaymentChargeId: 'stxUNKNOWN' })).code).toBe('GATEWAY.CHARGE_NOT_FOUND');
    expect((await refundStars({ ...stars, botId: '00000000-0000-4000-8000-000000000000' })).code).toBe('GATEWAY.BOT_NOT_HOSTED');
    expect((await refundStars({ ...stars, telegramPaymentChargeId: '' })).code).toBe('VALIDATION.FAILED');
  });

  it('declines in time the checkout of a plan archived after its invoice was sent; nothing is charged or granted', async () => {
    const week = await createPlan({
      ...MONTH,
      texts: [
        { language: 'en', name: 'Week', description: 'Premium for a week' },
        { language: 'ru', name: 'Неделя', description: 'Премиум на неделю' },
      ],
      periodDays: 7,
      prices: [{ currency: 'XTR', amount: '90' }],
      sortOrder: 2,
    });
    const lev = sandbox.createUser({ firstName: 'Lev', languageCode: 'ru' });
    const chat = sandbox.chat(lev, shop.sandbox);
    await ask(chat, 'start');
    const invoice = await buy(chat, 'Неделя · ⭐ 90');
    expect((await plansApi(`/${week}/archive`, { method: 'POST' })).status).toBe(200);

    const started = Date.now();
    const outcome = await chat.payInvoice(invoice);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(outcome).toEqual({
      status: 'declined',
      errorMessage: 'Этот тариф больше не продаётся. Деньги не списаны. Выберите другой в /plans.',
    });
    expect(sandbox.payments(shop.sandbox).filter((payment) => payment.userId === lev.id)).toEqual([]);
    expect(typesOf(await subscriptionEvents(lev))).toEqual([]);
    const [payment] = await platform.services
      .get('payments')!
      .dependencies.orm.em.getConnection()
      .execute<{ status: string }[]>('SELECT status FROM payments.payments WHERE telegram_user_id = ?', [lev.id]);
    expect(payment).toEqual({ status: 'failed' });
  });

  it('refuses to order a plan that is not for sale, and a refund of an unknown payment, with typed errors', async () => {
    const archived = await createPlan({ ...MONTH, sortOrder: 9 });
    expect((await plansApi(`/${archived}/archive`, { method: 'POST' })).status).toBe(200);
    const order = { botId: shop.botId, telegramUserId: '4242', planId: archived };
    expect((await failure(clientAs('subscriptions').call(RPC.payments.createPayment, order))).code).toBe('PAYMENTS.PLAN_NOT_FOR_SALE');
    expect((await failure(clientAs('subscriptions').call(RPC.payments.createPayment, { ...order, planId: 'nope' }))).code).toBe('VALIDATION.FAILED');
    const unknown = { botId: shop.botId, paymentId: archived, reason: 'x', refundedBy: 'operator:e2e' };
    expect((await failure(clientAs('operator').call(RPC.payments.refundPayment, unknown))).code).toBe('PAYMENTS.PAYMENT_NOT_FOUND');
  });
});
