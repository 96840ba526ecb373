import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { busMigrations, type InProcessBroker, type RpcCallError, type RpcClient, type RunningConsumer } from '@botplatform/bus';
import {
  CardTransferApprovedSchema,
  CardTransferRejectedSchema,
  RPC,
  int64ToNumber,
  isEventOf,
  subjectOf,
  type PlanDefinitionJson,
} from '@botplatform/contracts';
import { createServiceOrm } from '@botplatform/event-store';
import { type RunningService } from '@botplatform/service-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { SandboxChat, SandboxUser } from '@botplatform/telegram-sandbox';
import { waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from 'grammy';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  // 31 days: a one-off invoice (a 30-day plan is sold as a Stars subscription).
  periodDays: 31,
  prices: [
    { currency: 'XTR', amount: '250' },
    { currency: 'EUR', amount: '499' },
  ],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const text = (message: Message) => message.text ?? message.caption ?? '';
const buttonsOf = (message: Message) => message.reply_markup?.inline_keyboard.flat().map((button) => button.text) ?? [];
const MOMENT = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\(UTC\\)';

/**
 * /payadmin, the payments side of a bot's administration, as admins use it: subscriptions and payments
 * on one in-process broker, the feature test kit routing the sandbox's updates by their declarations,
 * and a stand-in of the gateway's `refund-star-payment` that refunds in the sandbox as the gateway would.
 * A member's payments paged newest first; a Stars refund with a reason and a confirmation (double-tapped:
 * one refund, the other told plainly); the receipts waiting for review approved (twice: one payment) or
 * rejected with a reason; promo codes and a batch put together step by step; a non-admin gets nothing.
 */
describe('/payadmin: payments, refunds, receipts and promo codes in the bot', () => {
  let harness: ShopHarness | undefined;
  let subscriptions: RunningService;
  let payments: RunningService;
  let rpc: RpcClient;
  let broker: InProcessBroker;
  let kit: FeatureTestKit;
  let shop: KitBot;
  let planId: string;
  const refundsAsked: string[] = [];
  // The public events of the card transfers' reviews, as another service (notifications) receives them.
  const reviewsPublished: {
    subject: string;
    paymentId: string;
    telegramUserId: number;
    amount: number;
    currency: string;
    tracking: number;
    reason?: string;
  }[] = [];
  let observerOrm: MikroORM | undefined;
  let observer: RunningConsumer | undefined;

  const typesOf = async (service: RunningService, streamId: string) =>
    (await service.dependencies.store.readStream(streamId)).events.map((event) => event.type);
  const countEvents = async () =>
    Number((await payments.dependencies.orm.em.getConnection().execute<{ n: string }[]>('SELECT count(*) AS n FROM payments.event_store_events'))[0]!.n);
  const admin = (name: string, language: string) => {
    const user = kit.user(name, language);
    shop.setRole(user, 'ROLE_ADMIN');
    return { user, chat: shop.chat(user) };
  };
  const openAdmin = async (chat: SandboxChat, title = 'Payments of the bot. What would you like to do?') => {
    const menu = chat.waitForMessage((message) => text(message) === title);
    chat.sendCommand('payadmin');
    return menu;
  };
  /** Menu → Payments of a member → (a wrong id is asked again) → the id: the first page of the member's payments. */
  const paymentsOf = async (chat: SandboxChat, menu: Message, member: SandboxUser) => {
    await chat.pressCallbackButton(menu, '💳 Payments of a member');
    await chat.waitForMessage((message) => text(message) === "Send the member's Telegram id (digits only).");
    chat.sendText('@ann');
    await chat.waitForMessage((message) => text(message) === 'That is not a Telegram id. Send digits only, e.g. 123456789.');
    chat.sendText(String(member.id));
    return chat.waitForMessage((message) => text(message).startsWith(`Payments of member ${member.id}`));
  };
  /** /plans → Month → Buy → pay the invoice in Stars: paid and thanked. */
  const buyWithStars = async (chat: SandboxChat) => {
    const menu = chat.waitForMessage((message) => message.reply_markup !== undefined && text(message) !== '');
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Month · ⭐ 250 / 4.99 EUR');
    const card = await chat.waitForEdit((message) => text(message).startsWith('Month'));
    const invoice = chat.waitForMessage((message) => message.invoice !== undefined);
    await chat.pressCallbackButton(card, 'Buy');
    const thanks = chat.waitForMessage((message) => text(message).startsWith('Thank you!'));
    expect((await chat.payInvoice(await invoice)).status).toBe('paid');
    await thanks;
  };

  beforeAll(async () => {
    harness = await startShopHarness('bp_payments_admin');
    ({ subscriptions, payments, rpc, broker, kit, shop } = harness);
    planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan: MONTH });
    const orm = await createServiceOrm({ clientUrl: harness.databaseUrl, schema: 'observer', migrations: busMigrations });
    observerOrm = orm;
    observer = await harness.bus.consume(
      {
        name: 'observer--card-reviews',
        source: 'payments',
        subjects: [subjectOf(CardTransferApprovedSchema), subjectOf(CardTransferRejectedSchema)],
        handle: async (event) => {
          if (!isEventOf(event, CardTransferApprovedSchema) && !isEventOf(event, CardTransferRejectedSchema)) return;
          const { message } = event;
          reviewsPublished.push({
            subject: event.subject,
            paymentId: message.paymentId,
            telegramUserId: int64ToNumber(message.telegramUserId),
            amount: int64ToNumber(message.amount),
            currency: message.currency,
            tracking: message.trackingNumber,
            ...(isEventOf(event, CardTransferRejectedSchema) ? { reason: event.message.reason } : {}),
          });
        },
      },
      orm,
    );
    // The gateway's part of a Stars refund: refundStarPayment through the paid bot, Telegram's refusal as its code.
    const api = new Api(shop.telegram.token, { apiRoot: kit.sandbox.apiRoot });
    broker.register(RPC.gateway.refundStarPayment.subject, async (data) => {
      const request = data as { telegramUserId: string; telegramPaymentChargeId: string };
      refundsAsked.push(request.telegramPaymentChargeId);
      try {
        await api.refundStarPayment(Number(request.telegramUserId), request.telegramPaymentChargeId);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw { code: message.includes('CHARGE_ALREADY_REFUNDED') ? 'GATEWAY.CHARGE_ALREADY_REFUNDED' : 'GATEWAY.CHARGE_NOT_FOUND', message };
      }
      return {};
    });
  }, 60_000);

  afterAll(async () => {
    await observer?.stop();
    await harness?.close();
    await observerOrm?.close(true);
  });

  it('declares /payadmin to admins, its buttons and its questions', () => {
    const declaration = payments.declarer!.router.declaration();
    expect(declaration.commands?.find((command) => command.command === 'payadmin')).toMatchObject({
      audience: 'AUDIENCE_ADMINS',
      descriptions: { en: 'payments: refunds, receipts, promo codes', ru: 'платежи: возвраты, чеки, промокоды' },
    });
    expect(declaration.callbackNamespaces?.map((namespace) => namespace.namespace)).toContain('payadm');
    expect(declaration.steps?.map((step) => step.step)).toEqual(expect.arrayContaining(['payadm:member', 'payadm:refund', 'payadm:promo']));
  });

  it("pages a member's payments newest first; a Stars refund after a reason and a confirmation refunds in Telegram once, revokes the access, and a second tap is told plainly", async () => {
    const ann = kit.user('Ann', 'en');
    await buyWithStars(shop.chat(ann));
    expect(await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(ann.id) })).toMatchObject({ hasAccess: true });
    // Five later orders, never paid.
    for (let i = 0; i < 5; i += 1) await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: String(ann.id), planId, language: 'en' });
    const [charge] = kit.sandbox.payments(shop.telegram).filter((payment) => payment.userId === ann.id);

    const olga = admin('Olga', 'en');
    const first = await paymentsOf(olga.chat, await openAdmin(olga.chat), ann);
    const lines = text(first).split('\n');
    expect(lines[0]).toBe(`Payments of member ${ann.id}, newest first (page 1):`);
    expect(lines.slice(1)).toHaveLength(5);
    for (const [index, line] of lines.slice(1).entries()) expect(line).toMatch(new RegExp(`^${index + 1}\\. ⭐ 250 · stars · pending · ${MOMENT}$`));
    // Nothing pending can be refunded: no refund buttons on the first page.
    expect(buttonsOf(first)).toEqual(['Older »', '« Back']);

    await olga.chat.pressCallbackButton(first, 'Older »');
    const second = await olga.chat.waitForEdit((message) => text(message).includes('(page 2)'));
    expect(text(second).split('\n').slice(1)).toEqual([expect.stringMatching(new RegExp(`^6\\. ⭐ 250 · stars · completed · ${MOMENT}$`))]);
    expect(buttonsOf(second)).toEqual(['Refund #6', '« Newer', '« Back']);

    await olga.chat.pressCallbackButton(second, 'Refund #6');
    await olga.chat.waitForMessage((message) => text(message) === `Refund ⭐ 250 (stars) of member ${ann.id}: reply with the reason.`);
    olga.chat.sendText('x'.repeat(501));
    await olga.chat.waitForMessage((message) => text(message) === 'Send a reason of 1 to 500 characters.');
    olga.chat.sendText('Bought by mistake');
    const confirm = await olga.chat.waitForMessage((message) => text(message).startsWith('Refund ⭐ 250 (stars) to member'));
    expect(text(confirm)).toBe(`Refund ⭐ 250 (stars) to member ${ann.id}?\nReason: Bought by mistake\nWhat it bought is taken away.`);
    expect(refundsAsked).toEqual([]);

    // A double tap on "Yes, refund": one refund, the other press refused with the typed error, said plainly.
    const refusal = olga.chat.waitForMessage((message) => text(message) === 'This payment was refunded already. Nothing was refunded again.');
    const answers = await Promise.all([olga.chat.pressCallbackButton(confirm, 'Yes, refund'), olga.chat.pressCallbackButton(confirm, 'Yes, refund')]);
    expect(answers.filter((answer) => answer.showAlert === true).map((answer) => answer.text)).toEqual([
      'This payment was refunded already. Nothing was refunded again.',
    ]);
    await refusal;
    const done = await olga.chat.waitForEdit((message) => text(message).startsWith('Refunded'));
    expect(text(done)).toBe(`Refunded ⭐ 250 (stars) to member ${ann.id}. Reason: Bought by mistake\nWhat it bought is taken away.`);

    expect(refundsAsked).toEqual([charge!.chargeId]);
    expect(kit.sandbox.payments(shop.telegram).find((payment) => payment.chargeId === charge!.chargeId)?.refunded).toBe(true);
    expect(await typesOf(payments, `payment-${charge!.payload}`)).toEqual(['PaymentCreated', 'PaymentCompleted', 'PaymentRefunded']);
    const refunded = (await payments.dependencies.store.readStream(`payment-${charge!.payload}`)).events[2]!;
    expect(refunded.data).toMatchObject({ reason: 'Bought by mistake', refundedBy: `telegram:${olga.user.id}` });
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${ann.id}`)).toEqual(['SubscriptionStarted', 'SubscriptionRevoked']);
    expect((await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(ann.id) })).hasAccess ?? false).toBe(false);

    // The old list's Refund button again: refused before anything is asked of Telegram.
    expect(await olga.chat.pressCallbackButton(second, 'Refund #6')).toMatchObject({
      showAlert: true,
      text: 'This payment was refunded already. Nothing was refunded again.',
    });
    expect(refundsAsked).toHaveLength(1);
    expect(kit.errors).toEqual([]);
  });

  it('refunds a wallet payment from /payadmin back to the wallet, once, and takes the access away', async () => {
    const walt = kit.user('Walt', 'en');
    await rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId: String(walt.id),
      currency: 'XTR',
      amount: '300',
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
    const paid = await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(walt.id), planId });
    const balance = async () =>
      (await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId: String(walt.id) })).balances?.find((b) => b.currency === 'XTR')
        ?.amount;
    expect(await balance()).toBe('50');

    const olga = admin('Olga W', 'ru');
    const list = await (async () => {
      await olga.chat.pressCallbackButton(await openAdmin(olga.chat, 'Платежи бота. Что сделать?'), '💳 Платежи участника');
      await olga.chat.waitForMessage((message) => text(message).startsWith('Пришлите Telegram id'));
      olga.chat.sendText(String(walt.id));
      return olga.chat.waitForMessage((message) => text(message).startsWith(`Платежи участника ${walt.id}`));
    })();
    expect(text(list).split('\n')[1]).toMatch(new RegExp(`^1\\. ⭐ 250 · wallet · оплачен · ${MOMENT}$`));
    await olga.chat.pressCallbackButton(list, 'Вернуть №1');
    await olga.chat.waitForMessage((message) => text(message) === `Возврат ⭐ 250 (wallet) участнику ${walt.id}: ответьте причиной.`);
    olga.chat.sendText('Двойная оплата');
    const confirm = await olga.chat.waitForMessage((message) => text(message).startsWith('Вернуть ⭐ 250 (wallet)'));
    await olga.chat.pressCallbackButton(confirm, 'Да, вернуть');
    await olga.chat.waitForEdit((message) => text(message).startsWith(`Возвращено ⭐ 250 (wallet) участнику ${walt.id}. Причина: Двойная оплата`));
    expect(await balance()).toBe('300');
    expect(await typesOf(payments, `payment-${paid.payment!.paymentId}`)).toEqual(['PaymentCreated', 'PaymentCompleted', 'PaymentRefunded']);
    expect((await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(walt.id) })).hasAccess ?? false).toBe(false);

    // The list shows it refunded with no button; the old list's button is refused in Russian; the wallet credited once.
    olga.chat.sendCommand('payadmin');
    await olga.chat.pressCallbackButton(await olga.chat.waitForMessage((m) => text(m) === 'Платежи бота. Что сделать?'), '💳 Платежи участника');
    await olga.chat.waitForMessage((message) => text(message).startsWith('Пришлите Telegram id'));
    olga.chat.sendText(String(walt.id));
    const after = await olga.chat.waitForMessage((message) => text(message).startsWith(`Платежи участника ${walt.id}`));
    expect(text(after)).toContain('· wallet · возвращён ·');
    expect(buttonsOf(after)).toEqual(['« Назад']);
    expect(await olga.chat.pressCallbackButton(list, 'Вернуть №1')).toMatchObject({
      showAlert: true,
      text: 'Этот платёж уже возвращён. Повторно ничего не возвращено.',
    });
    expect(await balance()).toBe('300');
    expect(await typesOf(payments, `wallet-${shop.botId}-${walt.id}-XTR`)).toEqual(['WalletToppedUp', 'WalletSpent', 'WalletRefunded']);
    expect(kit.errors).toEqual([]);
  });

  it('lists the receipts waiting for review; approved twice → one payment and one grant; rejected with a reason; the members are told', async () => {
    await rpc.call(RPC.payments.addPaymentCard, { botId: shop.botId, number: '2200 1234 5678 9012', holder: 'Anna Card', bank: 'EuroBank', currency: 'EUR' });
    const vera = kit.user('Vera', 'en');
    const petr = kit.user('Petr', 'ru');
    const veraChat = shop.chat(vera);
    const petrChat = shop.chat(petr);
    const veraTransfer = await rpc.call(RPC.payments.startCardTransfer, { botId: shop.botId, telegramUserId: String(vera.id), planId, language: 'en' });
    const taken = veraChat.waitForMessage((message) => text(message).startsWith('Thank you! Your receipt'));
    veraChat.sendPhoto();
    await taken;
    const petrTransfer = await rpc.call(RPC.payments.startCardTransfer, { botId: shop.botId, telegramUserId: String(petr.id), planId, language: 'ru' });
    const ask = petrChat.waitForMessage((message) => text(message).startsWith('Пришлите чек'));
    petrChat.sendCommand('receipt');
    await ask;
    const petrTaken = petrChat.waitForMessage((message) => text(message).startsWith('Спасибо! Чек'));
    petrChat.sendText('Paid from Sber, 4.99');
    await petrTaken;
    const [veraTracking, petrTracking] = [veraTransfer.trackingNumber!, petrTransfer.trackingNumber!];

    const olga = admin('Olga R', 'en');
    await olga.chat.pressCallbackButton(await openAdmin(olga.chat), '🧾 Receipts to review');
    const list = await olga.chat.waitForEdit((message) => text(message).startsWith('Receipts waiting for review'));
    expect(text(list)).toMatch(
      new RegExp(
        `^Receipts waiting for review, oldest first:\\n\\n${veraTracking} · 4\\.99 EUR · member ${vera.id} · ${MOMENT}\\n\\(a photo: 🧾 shows it\\)\\n\\n` +
          `${petrTracking} · 4\\.99 EUR · member ${petr.id} · ${MOMENT}\\n«Paid from Sber, 4\\.99»$`,
      ),
    );
    expect(buttonsOf(list)).toEqual([
      `✅ ${veraTracking}`,
      `❌ ${veraTracking}`,
      `🧾 ${veraTracking}`,
      `✅ ${petrTracking}`,
      `❌ ${petrTracking}`,
      `🧾 ${petrTracking}`,
      '« Back',
    ]);

    // The receipt itself, by its file id, with the same review buttons.
    await olga.chat.pressCallbackButton(list, `🧾 ${veraTracking}`);
    const receipt = await olga.chat.waitForMessage((message) => message.photo !== undefined);
    expect(text(receipt)).toBe(`Card transfer ${veraTracking} · 4.99 EUR · member ${vera.id}`);

    // Approve pressed twice at once: one approval, one completion, one grant; the member is told once.
    const told = veraChat.waitForMessage((message) => text(message).startsWith(`Your card transfer ${veraTracking} is confirmed.`));
    const approvals = await Promise.all([
      olga.chat.pressCallbackButton(list, `✅ ${veraTracking}`),
      olga.chat.pressCallbackButton(receipt, `✅ ${veraTracking}`),
    ]);
    expect(approvals.map((answer) => answer.text).sort()).toEqual([`${veraTracking} approved by Olga R.`, `${veraTracking} was approved already.`]);
    await told;
    expect(await typesOf(payments, `payment-${veraTransfer.paymentId}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await typesOf(payments, `card-transfer-${veraTransfer.paymentId}`)).toEqual(['CardTransferOpened', 'CardReceiptSubmitted', 'CardTransferApproved']);
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${vera.id}`)).toEqual(['SubscriptionStarted']);

    // In Vera's payments: paid by card, completed, and not refundable here (the money went to the bot's card).
    const veraPayments = await paymentsOf(olga.chat, await openAdmin(olga.chat), vera);
    expect(text(veraPayments).split('\n')[1]).toMatch(new RegExp(`^1\\. 4\\.99 EUR · card · completed · ${MOMENT}$`));
    expect(buttonsOf(veraPayments)).toEqual(['« Back']);

    // Reject with a reason (the admin chat's own question), the member told in their language.
    const rejectedTold = petrChat.waitForMessage((message) => text(message).startsWith(`Перевод ${petrTracking} не подтверждён`));
    await olga.chat.pressCallbackButton(list, `❌ ${petrTracking}`);
    await olga.chat.waitForMessage((message) => text(message) === `Reply with the reason for rejecting ${petrTracking}.`);
    olga.chat.sendText('No such transfer arrived');
    await olga.chat.waitForMessage((message) => text(message) === `${petrTracking} rejected by Olga R: No such transfer arrived`);
    expect(text(await rejectedTold)).toContain('No such transfer arrived');
    expect(await typesOf(payments, `payment-${petrTransfer.paymentId}`)).toEqual(['PaymentCreated', 'PaymentFailed']);
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${petr.id}`)).toEqual([]);

    await olga.chat.pressCallbackButton(await openAdmin(olga.chat), '🧾 Receipts to review');
    await olga.chat.waitForEdit((message) => text(message) === 'No receipts are waiting for review.');
    // Published once each (approved twice at once: one event), with the member, the amount and the reason.
    await waitFor('the two review events', async () => (reviewsPublished.length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const number = (tracking: string) => Number(tracking.replace('C-', ''));
    expect(reviewsPublished).toEqual([
      {
        subject: 'payments.card_transfer.approved.v1',
        paymentId: veraTransfer.paymentId,
        telegramUserId: vera.id,
        amount: 499,
        currency: 'EUR',
        tracking: number(veraTracking),
      },
      {
        subject: 'payments.card_transfer.rejected.v1',
        paymentId: petrTransfer.paymentId,
        telegramUserId: petr.id,
        amount: 499,
        currency: 'EUR',
        tracking: number(petrTracking),
        reason: 'No such transfer arrived',
      },
    ]);
    expect(kit.errors).toEqual([]);
  });

  it('creates a promo code step by step (in Russian) and a batch of single-use codes sent back as text; members redeem them', async () => {
    const nina = admin('Nina', 'ru');
    await nina.chat.pressCallbackButton(await openAdmin(nina.chat, 'Платежи бота. Что сделать?'), '🎟 Новый промокод');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Пришлите новый код'));
    nina.chat.sendText('ab');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Код — это от 4 до 32'));
    nina.chat.sendText('spring25');
    const kinds = await nina.chat.waitForMessage((message) => text(message) === 'Что даёт код?');
    expect(buttonsOf(kinds)).toEqual(['Бесплатные дни тарифа', 'Пополнение кошелька', 'Скидка в процентах на следующую покупку']);
    await nina.chat.pressCallbackButton(kinds, 'Пополнение кошелька');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Сколько зачислить в кошелёк?'));
    nina.chat.sendText('4.999 EUR');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Пришлите сумму с валютой'));
    nina.chat.sendText('100 XTR');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Сколько всего использований?'));
    nina.chat.sendText('2');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Когда истекает?'));
    nina.chat.sendText('yesterday');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Пришлите число дней'));
    nina.chat.sendText('30');
    const created = await nina.chat.waitForMessage((message) => text(message).startsWith('Промокод SPRING25 создан'));
    expect(text(created)).toMatch(new RegExp(`^Промокод SPRING25 создан: ⭐ 100 в кошелёк; использований: 2; истекает: ${MOMENT}\\.$`));
    const promo = (await payments.dependencies.store.readStream(`promo-${shop.botId}-SPRING25`)).events;
    expect(promo.map((event) => event.type)).toEqual(['PromoCodeCreated']);
    expect(promo[0]!.data).toMatchObject({
      definition: { reward: { kind: 'wallet_top_up', currency: 'XTR', amount: '100' }, maxUses: 2, active: true },
      createdBy: `telegram:${nina.user.id}`,
    });

    // The same code again: the typed refusal, plainly.
    await nina.chat.pressCallbackButton(await openAdmin(nina.chat, 'Платежи бота. Что сделать?'), '🎟 Новый промокод');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Пришлите новый код') && nina.chat.botMessages().length > 10);
    nina.chat.sendText('SPRING25');
    await nina.chat.pressCallbackButton(
      await nina.chat.waitForMessage((message) => text(message) === 'Что даёт код?'),
      'Скидка в процентах на следующую покупку',
    );
    await nina.chat.waitForMessage((message) => text(message).startsWith('Какая скидка в процентах'));
    nina.chat.sendText('50');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Сколько всего использований?'));
    nina.chat.sendText('-');
    await nina.chat.waitForMessage((message) => text(message).startsWith('Когда истекает?'));
    nina.chat.sendText('-');
    await nina.chat.waitForMessage((message) => text(message) === 'Такой промокод в боте уже есть. Ничего не создано.');

    const redeemer = shop.chat(kit.user('Rita', 'en'));
    const accepted = redeemer.waitForMessage((message) => text(message).startsWith('Promo code accepted'));
    redeemer.sendCommand('promo', 'spring25');
    expect(text(await accepted)).toBe('Promo code accepted: ⭐ 100 added to your wallet (/balance).');

    // A batch: three single-use codes giving the plan, never expiring, sent back as text to copy.
    const olga = admin('Olga B', 'en');
    await olga.chat.pressCallbackButton(await openAdmin(olga.chat), '📦 Batch of codes');
    await olga.chat.waitForMessage((message) => text(message) === 'How many single-use codes? Send a number from 1 to 1000.');
    olga.chat.sendText('3');
    await olga.chat.pressCallbackButton(await olga.chat.waitForMessage((message) => text(message) === 'What does the code give?'), 'Free days of a plan');
    const plans = await olga.chat.waitForEdit((message) => text(message) === 'Which plan does the code give?');
    expect(buttonsOf(plans)).toEqual(['Month']);
    await olga.chat.pressCallbackButton(plans, 'Month');
    await olga.chat.waitForMessage((message) => text(message).startsWith('When does it expire?'));
    const header = olga.chat.waitForMessage((message) => text(message).startsWith('3 single-use codes created'));
    olga.chat.sendText('-');
    expect(text(await header)).toBe('3 single-use codes created: the plan Month; expire: never. The codes:');
    const codes = text(await olga.chat.waitForMessage((message) => /^[2-9A-Z]{12}(\n[2-9A-Z]{12}){2}$/.test(text(message)))).split('\n');
    expect(new Set(codes).size).toBe(3);

    const [winner, late] = [kit.user('Wendy', 'en'), kit.user('Lars', 'en')];
    const won = shop.chat(winner).waitForMessage((message) => text(message).startsWith('Promo code accepted'));
    shop.chat(winner).sendCommand('promo', codes[0]);
    expect(text(await won)).toMatch(new RegExp(`^Promo code accepted: your access runs until ${MOMENT}\\.$`));
    const usedUp = shop.chat(late).waitForMessage(() => true);
    shop.chat(late).sendCommand('promo', codes[0]);
    expect(text(await usedUp)).toBe('This promo code has been used up.');
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${winner.id}`)).toEqual(['SubscriptionStarted']);
    expect(kit.errors).toEqual([]);
  });

  it("gives a member nothing: /payadmin refused, and a former admin's buttons and answers show and change nothing", async () => {
    const hugo = shop.chat(kit.user('Hugo', 'en'));
    hugo.sendCommand('payadmin');
    await hugo.waitForMessage((message) => text(message) === 'Only admins of this bot can do that.');

    const ivy = kit.user('Ivy', 'en');
    await rpc.call(RPC.payments.createPayment, { botId: shop.botId, telegramUserId: String(ivy.id), planId, language: 'en' });
    const mallory = admin('Mallory', 'en');
    const menu = await openAdmin(mallory.chat);
    const list = await paymentsOf(mallory.chat, menu, ivy);
    expect(text(list)).toContain('⭐ 250 · stars · pending');
    await mallory.chat.pressCallbackButton(menu, '💳 Payments of a member');
    await mallory.chat.waitForMessage((message) => text(message) === "Send the member's Telegram id (digits only).");

    // The rights are taken back; Mallory still holds the buttons and an open question, as a forger would.
    shop.setRole(mallory.user, 'ROLE_USER');
    const before = await countEvents();
    const refusal = { text: 'Only admins of this bot can do that.', showAlert: true };
    for (const button of ['🧾 Receipts to review', '🎟 New promo code', '📦 Batch of codes'])
      expect(await mallory.chat.pressCallbackButton(menu, button)).toMatchObject(refusal);
    expect(await mallory.chat.pressCallbackButton(list, '« Back')).toMatchObject(refusal);
    const seen = mallory.chat.botMessages().length;
    mallory.chat.sendText(String(ivy.id));
    const answer = await mallory.chat.waitForMessage((message) => text(message) === 'Only admins of this bot can do that.');
    expect(mallory.chat.botMessages().length).toBe(seen + 1);
    expect(text(answer)).not.toContain('⭐');
    mallory.chat.sendCommand('payadmin');
    await mallory.chat.waitForMessage((message) => text(message) === 'Only admins of this bot can do that.' && mallory.chat.botMessages().length >= seen + 2);
    expect(await countEvents()).toBe(before);
    expect(kit.errors).toEqual([]);
  });
});

/**
 * A wallet payment whose grant fails (subscriptions does not answer the grant): the payment stays
 * completed, and the grant check its completion scheduled on the durable schedule grants it once
 * subscriptions answers again; a payment granted at once is not granted again by its check.
 */
describe('A wallet payment whose grant fails at first', () => {
  let harness: ShopHarness | undefined;

  beforeAll(async () => {
    harness = await startShopHarness('bp_payments_wallet_retry');
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('is granted exactly once by its retry after subscriptions answers again', async () => {
    const { rpc, broker, payments, subscriptions, shop, kit } = harness!;
    const planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan: MONTH });
    const [zoe, max] = [kit.user('Zoe', 'en'), kit.user('Max', 'en')];
    for (const user of [zoe, max]) {
      await rpc.call(RPC.payments.topUpWallet, {
        botId: shop.botId,
        telegramUserId: String(user.id),
        currency: 'XTR',
        amount: '250',
        requestId: randomUUID(),
        toppedUpBy: 'api:admin',
      });
    }
    const types = async (service: RunningService, stream: string) => (await service.dependencies.store.readStream(stream)).events.map((e) => e.type);
    const timers = () =>
      payments.dependencies.orm.em
        .getConnection()
        .execute<{ key: string; fired_at: Date | null; attempts: number }[]>(
          `SELECT key, fired_at, attempts FROM payments.scheduled_timers WHERE kind = 'payments.wallet-grant'`,
        );

    // Max's grant goes through at once; his check later finds it done.
    const paid = await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(max.id), planId });
    expect(paid.endsAt).toBeDefined();

    // Subscriptions stops answering grants (plans are still read): Zoe's payment completes, her grant fails.
    const grantSubject = RPC.subscriptions.grantSubscription.subject;
    const grant = broker.handlerOf(grantSubject)!;
    broker.unregister(grantSubject);
    const failed = await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(zoe.id), planId }).then(
      () => undefined,
      (error: unknown) => error as RpcCallError,
    );
    expect(failed?.code).toBe('PAYMENTS.DEPENDENCY_UNAVAILABLE');
    const [row] = await payments.dependencies.orm.em
      .getConnection()
      .execute<{ payment_id: string; status: string }[]>('SELECT payment_id, status FROM payments.payments WHERE telegram_user_id = ?', [zoe.id]);
    expect(row?.status).toBe('completed');
    expect(await types(payments, `payment-${row!.payment_id}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await types(subscriptions, `subscription-${shop.botId}-${zoe.id}`)).toEqual([]);

    // Its check fires after the grace period and fails while subscriptions is away: retried, not lost.
    await waitFor('a failed attempt of the check', async () => (await timers()).find((t) => t.key === row!.payment_id && t.attempts >= 1), {
      timeoutMs: 15_000,
    });
    expect(await types(subscriptions, `subscription-${shop.botId}-${zoe.id}`)).toEqual([]);

    broker.register(grantSubject, grant);
    await waitFor('the retried grant', async () => (await types(subscriptions, `subscription-${shop.botId}-${zoe.id}`)).length > 0, { timeoutMs: 20_000 });
    await waitFor('both checks fired', async () => (await timers()).every((t) => t.fired_at !== null) && (await timers()).length === 2, { timeoutMs: 20_000 });
    expect(await types(subscriptions, `subscription-${shop.botId}-${zoe.id}`)).toEqual(['SubscriptionStarted']);
    expect(await types(subscriptions, `subscription-${shop.botId}-${max.id}`)).toEqual(['SubscriptionStarted']);
    expect((await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(zoe.id) })).hasAccess).toBe(true);
    expect(await types(payments, `payment-${row!.payment_id}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
  }, 60_000);

  it('grants nothing for a payment refunded before its retry', async () => {
    const { rpc, broker, payments, subscriptions, shop, kit } = harness!;
    const planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan: MONTH });
    const una = kit.user('Una', 'en');
    await rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId: String(una.id),
      currency: 'XTR',
      amount: '250',
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
    const grantSubject = RPC.subscriptions.grantSubscription.subject;
    const grant = broker.handlerOf(grantSubject)!;
    broker.unregister(grantSubject);
    try {
      const failed = await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(una.id), planId }).then(
        () => undefined,
        (error: unknown) => error as RpcCallError,
      );
      expect(failed?.code).toBe('PAYMENTS.DEPENDENCY_UNAVAILABLE');
    } finally {
      broker.register(grantSubject, grant);
    }
    const [row] = await payments.dependencies.orm.em
      .getConnection()
      .execute<{ payment_id: string }[]>('SELECT payment_id FROM payments.payments WHERE telegram_user_id = ?', [una.id]);
    await rpc.call(RPC.payments.refundPayment, { botId: shop.botId, paymentId: row!.payment_id, reason: 'never granted', refundedBy: 'api:admin' });
    await waitFor(
      'the check fired',
      async () =>
        (
          await payments.dependencies.orm.em
            .getConnection()
            .execute<{ fired_at: Date | null }[]>(`SELECT fired_at FROM payments.scheduled_timers WHERE kind = 'payments.wallet-grant' AND key = ?`, [
              row!.payment_id,
            ])
        )[0]?.fired_at != null,
      { timeoutMs: 20_000 },
    );
    expect((await subscriptions.dependencies.store.readStream(`subscription-${shop.botId}-${una.id}`)).events).toEqual([]);
    expect((await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId: String(una.id) })).balances?.[0]?.amount).toBe('250');
  }, 60_000);
});
