import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type BotUpdateJson, type PlanDefinitionJson } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import { type RunningService } from '@botplatform/service-kit';
import type { SandboxChat, SandboxUser } from '@botplatform/telegram-sandbox';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  // 31 days: a one-off invoice (a 30-day plan is sold as a Stars subscription, see stars-subscription.e2e.spec.ts).
  periodDays: 31,
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const text = (message: Message) => message.text ?? '';

/**
 * The payments service's bot features as members meet them, without the gateway: subscriptions and
 * payments started as the platform starts them, on one in-process broker (payments reads plans from and
 * grants them in subscriptions over it), and the feature test kit routing the sandbox's updates to both
 * by their declarations. The gateway's part (the refund, the deadlines) is stars-purchase.e2e.spec.ts.
 */
describe("The payments service's bot features", () => {
  let harness: ShopHarness | undefined;
  let subscriptions: RunningService;
  let payments: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let shop: KitBot;

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as RpcCallError,
    );
  const typesOf = (events: readonly RecordedEvent[]) => events.map((event) => event.type);
  const subscriptionEvents = async (user: SandboxUser | string) =>
    typesOf((await subscriptions.dependencies.store.readStream(`subscription-${shop.botId}-${typeof user === 'string' ? user : user.id}`)).events);
  const paymentEvents = async (paymentId: string) => typesOf((await payments.dependencies.store.readStream(`payment-${paymentId}`)).events);
  const createPlan = async (plan: PlanDefinitionJson) => {
    const planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan });
    return planId;
  };
  /** /plans → the plan's card → Buy: the invoice message. */
  const buy = async (chat: SandboxChat, button: string, buyText: string, title: string) => {
    const menu = chat.waitForMessage((message) => message.reply_markup !== undefined && text(message) !== '');
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, button);
    const card = await chat.waitForEdit((message) => text(message).startsWith(title));
    const invoice = chat.waitForMessage((message) => message.invoice !== undefined);
    await chat.pressCallbackButton(card, buyText);
    return invoice;
  };
  const successfulPayment = (user: string, paymentId: string, chargeId: string, amount = '250'): BotUpdateJson => ({
    context: { botId: shop.botId, botName: shop.name, member: { telegramUserId: user, firstName: 'Member' }, language: 'en', timeZone: 'UTC' },
    updateId: String(Math.floor(Math.random() * 1e9)),
    chatId: user,
    message: {
      kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
      messageId: '1',
      successfulPayment: { currency: 'XTR', totalAmount: amount, invoicePayload: paymentId, telegramPaymentChargeId: chargeId },
    },
  });

  beforeAll(async () => {
    harness = await startShopHarness('bp_payments_kit');
    ({ subscriptions, payments, rpc, kit, shop } = harness);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('declares the pre-checkout query, the subscription update, the payment messages, and the card transfer receipts and review, /balance, /promo, /referral and /payadmin, and the promo deep link', () => {
    const declaration = payments.declarer!.router.declaration();
    expect(declaration.updateKinds?.map((kind) => kind.kind).sort()).toEqual(['UPDATE_KIND_PRE_CHECKOUT_QUERY', 'UPDATE_KIND_SUBSCRIPTION']);
    expect(declaration.messageKinds?.map((kind) => kind.kind).sort()).toEqual([
      'MESSAGE_KIND_DOCUMENT',
      'MESSAGE_KIND_PHOTO',
      'MESSAGE_KIND_REFUNDED_PAYMENT',
      'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
    ]);
    expect(declaration.commands?.map((command) => command.command)).toEqual(['receipt', 'balance', 'promo', 'referral', 'payadmin'].sort());
    expect(declaration.callbackNamespaces?.map((namespace) => namespace.namespace)).toEqual(['card', 'payadm']);
    expect(declaration.steps?.map((step) => step.step).sort()).toEqual(['card:reason', 'card:receipt', 'payadm:member', 'payadm:promo', 'payadm:refund']);
    expect(declaration.deepLinks?.map((link) => link.prefix)).toEqual(['promo']);
  });

  it('sells a plan: the invoice from Buy is paid, the checkout answered well inside 10 s, the plan granted and the member thanked', async () => {
    await createPlan(MONTH);
    const ann = kit.user('Ann', 'en');
    const chat = shop.chat(ann);
    const invoice = await buy(chat, 'Month · ⭐ 250', 'Buy', 'Month');
    expect(invoice.invoice).toMatchObject({ title: 'Month', description: 'Premium for a month', currency: 'XTR', total_amount: 250 });

    const thanks = chat.waitForMessage((message) => text(message).startsWith('Thank you!'));
    const started = Date.now();
    const outcome = await chat.payInvoice(invoice);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome.status).toBe('paid');
    expect(text(await thanks)).toMatch(/^Thank you! Month is yours until \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)\.$/);
    const [charge] = kit.sandbox.payments(shop.telegram);
    expect(await paymentEvents(charge!.payload)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await subscriptionEvents(ann)).toEqual(['SubscriptionStarted']);
    expect(await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(ann.id) })).toMatchObject({
      hasAccess: true,
      quotaLevel: 'premium',
    });
    expect(kit.errors).toEqual([]);
  });

  it("declines the checkout after the plan's price changed, in the member's language; nothing is charged and the order fails", async () => {
    const planId = await createPlan({ ...MONTH, texts: [{ language: 'en', name: 'Week' }], periodDays: 7, prices: [{ currency: 'XTR', amount: '90' }] });
    const boris = kit.user('Boris', 'ru');
    const chat = shop.chat(boris);
    const invoice = await buy(chat, 'Week · ⭐ 90', 'Купить', 'Week');
    await rpc.call(RPC.subscriptions.updatePlan, {
      planId,
      botId: shop.botId,
      plan: { ...MONTH, texts: [{ language: 'en', name: 'Week' }], periodDays: 7, prices: [{ currency: 'XTR', amount: '120' }] },
    });

    const outcome = await chat.payInvoice(invoice);
    expect(outcome).toEqual({ status: 'declined', errorMessage: 'Цена тарифа изменилась. Деньги не списаны. Откройте /plans и купите ещё раз.' });
    expect(kit.sandbox.payments(shop.telegram).filter((payment) => payment.userId === boris.id)).toEqual([]);
    expect(await subscriptionEvents(boris)).toEqual([]);
    const [row] = await payments.dependencies.orm.em
      .getConnection()
      .execute<{ payment_id: string; status: string }[]>('SELECT payment_id, status FROM payments.payments WHERE telegram_user_id = ?', [boris.id]);
    expect(row?.status).toBe('failed');
    expect(await paymentEvents(row!.payment_id)).toEqual(['PaymentCreated', 'PaymentFailed']);
  });

  it('completes once and grants once when the same successful_payment arrives five times at once', async () => {
    const planId = await createPlan({ ...MONTH, sortOrder: 3 });
    const member = '700100';
    const { paymentId } = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: member, planId, language: 'en' });
    const update = successfulPayment(member, paymentId!, 'stxRACE1');
    const answers = await Promise.all(Array.from({ length: 5 }, () => rpc.call(RPC.payments.handleBotUpdate, update)));
    expect(await paymentEvents(paymentId!)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await subscriptionEvents(member)).toEqual(['SubscriptionStarted']);
    // Only the update that granted thanks the member.
    const thanked = answers.flatMap((answer) => answer.actions ?? []).filter((action) => action.reply?.text?.startsWith('Thank you!'));
    expect(thanked).toHaveLength(1);
  });

  it("refuses to apply a payment to another member's order, and a charge of another amount, and says so", async () => {
    const planId = await createPlan({ ...MONTH, sortOrder: 4 });
    const { paymentId } = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: '700200', planId });
    const foreign = await rpc.call(RPC.payments.handleBotUpdate, successfulPayment('700201', paymentId!, 'stxFOREIGN'));
    expect(foreign.actions?.map((action) => action.reply?.text)).toEqual([
      'Thank you! We could not match this payment to an order; the bot’s admins can sort it out.',
    ]);
    const short = await rpc.call(RPC.payments.handleBotUpdate, successfulPayment('700200', paymentId!, 'stxSHORT', '1'));
    expect(short.actions?.map((action) => action.reply?.text)).toEqual([
      'Thank you! We could not match this payment to an order; the bot’s admins can sort it out.',
    ]);
    expect(await paymentEvents(paymentId!)).toEqual(['PaymentCreated']);
    expect(await subscriptionEvents('700200')).toEqual([]);
    expect(await subscriptionEvents('700201')).toEqual([]);
  });

  it('records a payment whose plan was archived between the checkout and the charge, and tells the member the plan is not given yet', async () => {
    const planId = await createPlan({ ...MONTH, sortOrder: 7 });
    const member = '700500';
    const { paymentId } = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: member, planId });
    await rpc.call(RPC.subscriptions.archivePlan, { botId: shop.botId, planId });
    const answer = await rpc.call(RPC.payments.handleBotUpdate, successfulPayment(member, paymentId!, 'stxARCHIVED'));
    expect(answer.actions?.map((action) => action.reply?.text)).toEqual([
      'Thank you! Your payment is recorded, but the plan could not be given just now; the bot’s admins can sort it out.',
    ]);
    // The money was taken: the payment is completed (and can be refunded); nothing was granted.
    expect(await paymentEvents(paymentId!)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await subscriptionEvents(member)).toEqual([]);
  });

  it('declines a checkout whose payload is no order of this member', async () => {
    const checkout = (payload: string, user = '700300'): BotUpdateJson => ({
      context: { botId: shop.botId, member: { telegramUserId: user }, language: 'en' },
      updateId: '5',
      chatId: user,
      preCheckout: { preCheckoutQueryId: 'q1', currency: 'XTR', totalAmount: '250', invoicePayload: payload },
    });
    const declined = { answerPreCheckout: { ok: false, errorMessage: 'This invoice is not valid in this chat. Please open /plans and buy again.' } };
    expect((await rpc.call(RPC.payments.handleBotUpdate, checkout('not-an-order'))).actions).toEqual([declined]);
    expect((await rpc.call(RPC.payments.handleBotUpdate, checkout(randomUUID()))).actions).toEqual([declined]);
    const planId = await createPlan({ ...MONTH, sortOrder: 5 });
    const { paymentId } = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: '700301', planId });
    expect((await rpc.call(RPC.payments.handleBotUpdate, checkout(paymentId!))).actions).toEqual([declined]);
    expect((await rpc.call(RPC.payments.handleBotUpdate, checkout(paymentId!, '700301'))).actions).toEqual([{ answerPreCheckout: { ok: true } }]);
  });

  it('refuses a refund while the gateway cannot be asked, and changes nothing', async () => {
    const planId = await createPlan({ ...MONTH, sortOrder: 6 });
    const member = '700400';
    const { paymentId } = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: member, planId });
    await rpc.call(RPC.payments.handleBotUpdate, successfulPayment(member, paymentId!, 'stxNOGATEWAY'));
    const refund = rpc.call(RPC.payments.refundPayment, { botId: shop.botId, paymentId: paymentId!, reason: 'test', refundedBy: 'operator:kit' });
    expect((await failure(refund)).code).toBe('PAYMENTS.DEPENDENCY_UNAVAILABLE');
    expect(await paymentEvents(paymentId!)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await subscriptionEvents(member)).toEqual(['SubscriptionStarted']);
    // Nor can a pending payment be refunded at all.
    const { paymentId: pending } = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: member, planId });
    const notPaid = rpc.call(RPC.payments.refundPayment, { botId: shop.botId, paymentId: pending!, reason: 'test', refundedBy: 'operator:kit' });
    expect((await failure(notPaid)).code).toBe('PAYMENTS.NOT_REFUNDABLE');
  });

  it('drops a subscription update that names no Stars subscription of this member, and ignores a state Telegram does not document', async () => {
    const update = (user: string, payload: string, state = 'canceled'): BotUpdateJson => ({
      context: { botId: shop.botId, member: { telegramUserId: user }, language: 'en' },
      updateId: String(Math.floor(Math.random() * 1e9)),
      chatId: user,
      subscription: { invoicePayload: payload, state },
    });
    // A one-off plan paid by 700500; a 30-day plan (a Stars subscription) paid by 700501.
    const oneOff = await createPlan({ ...MONTH, sortOrder: 7 });
    const monthly = await createPlan({ ...MONTH, periodDays: 30, sortOrder: 8 });
    const { paymentId: oneOffPayment } = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: '700500', planId: oneOff });
    await rpc.call(RPC.payments.handleBotUpdate, successfulPayment('700500', oneOffPayment!, 'stxONEOFF'));
    const order = await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: '700501', planId: monthly });
    expect(order.invoice?.subscriptionPeriod).toBe(2_592_000);
    await rpc.call(RPC.payments.handleBotUpdate, successfulPayment('700501', order.paymentId!, 'stxMONTHLY'));

    for (const [user, payload] of [
      ['700500', 'not-an-order'],
      ['700500', randomUUID()],
      ['700500', oneOffPayment!],
      ['700502', order.paymentId!],
    ] as const) {
      expect((await rpc.call(RPC.payments.handleBotUpdate, update(user, payload))).actions ?? []).toEqual([]);
    }
    expect((await rpc.call(RPC.payments.handleBotUpdate, update('700501', order.paymentId!, 'paused'))).actions ?? []).toEqual([]);
    expect(await paymentEvents(oneOffPayment!)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await paymentEvents(order.paymentId!)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await subscriptionEvents('700500')).toEqual(['SubscriptionStarted']);
    expect(await subscriptionEvents('700501')).toEqual(['SubscriptionStarted']);

    // The member's own cancel: noted once, renewal off once, however often Telegram sends it.
    await rpc.call(RPC.payments.handleBotUpdate, update('700501', order.paymentId!));
    await rpc.call(RPC.payments.handleBotUpdate, update('700501', order.paymentId!));
    expect(await paymentEvents(order.paymentId!)).toEqual(['PaymentCreated', 'PaymentCompleted', 'StarSubscriptionStateNoted']);
    expect(await subscriptionEvents('700501')).toEqual(['SubscriptionStarted', 'RenewalCancelled']);
  });
});
