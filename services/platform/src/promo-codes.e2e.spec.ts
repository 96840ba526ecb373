import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import { type RunningService } from '@botplatform/service-kit';
import type { SandboxChat } from '@botplatform/telegram-sandbox';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';

/** A plan with no price: only granted (a promo code, an admin). */
const FREE_WEEK: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Free week', description: 'Seven days on us' },
    { language: 'ru', name: 'Бесплатная неделя', description: 'Семь дней за наш счёт' },
  ],
  periodDays: 7,
  prices: [],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const MONTH: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Month', description: 'Premium for a month' }],
  // 31 days: a one-off invoice (a discount does not apply to a Stars subscription).
  periodDays: 31,
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 2,
};

const text = (message: Message) => message.text ?? '';

/**
 * `/promo CODE` as members meet it: a free-days code grants its plan through subscriptions once (source
 * promo), /subscription shows it, the same member's second try is refused; a wallet code tops the
 * wallet up, in Russian. Subscriptions and payments on one in-process broker, the sandbox as Telegram.
 */
describe('Promo codes in the bot', () => {
  let harness: ShopHarness | undefined;
  let subscriptions: RunningService;
  let payments: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let shop: KitBot;

  const ask = async (chat: SandboxChat, command: string, payload: string, shape: (text: string) => boolean) => {
    const answer = chat.waitForMessage((message) => shape(text(message)));
    chat.sendCommand(command, payload);
    return text(await answer);
  };

  /** /plans → the plan's card → Buy: the invoice message. */
  const buy = async (chat: SandboxChat) => {
    const menu = chat.waitForMessage((message) => message.reply_markup !== undefined && text(message) !== '');
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Month · ⭐ 250');
    const card = await chat.waitForEdit((message) => text(message).startsWith('Month'));
    const invoice = chat.waitForMessage((message) => message.invoice !== undefined);
    await chat.pressCallbackButton(card, 'Buy');
    return invoice;
  };

  beforeAll(async () => {
    harness = await startShopHarness('bp_promo_codes');
    ({ subscriptions, payments, rpc, kit, shop } = harness);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('grants a free-days code once through subscriptions, shows it in /subscription, and refuses the second try', async () => {
    const planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan: FREE_WEEK });
    await rpc.call(RPC.payments.createPromoCode, {
      botId: shop.botId,
      code: 'WEEK7',
      definition: { reward: { grantPlanId: planId }, maxUses: 100, active: true },
      createdBy: 'api:admin',
    });
    const ann = kit.user('Ann', 'en');
    const chat = shop.chat(ann);

    expect(await ask(chat, 'promo', 'week7', (t) => t.startsWith('Promo code accepted'))).toMatch(
      /^Promo code accepted: your access runs until \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)\.$/,
    );
    expect(await ask(chat, 'subscription', '', (t) => t.includes('Plan:'))).toContain('Plan: Free week');
    expect(await ask(chat, 'promo', 'WEEK7', (t) => t.startsWith('You have'))).toBe('You have already used this promo code.');

    const stream = await subscriptions.dependencies.store.readStream(`subscription-${shop.botId}-${ann.id}`);
    expect(stream.events.map((event) => event.type)).toEqual(['SubscriptionStarted']);
    expect(stream.events[0]!.data).toMatchObject({ source: 'promo', grantId: `promo:${shop.botId}:WEEK7:1` });
    expect(await ask(chat, 'promo', '', (t) => t.startsWith('Send the code'))).toBe('Send the code after the command, e.g. /promo SPRING25.');
    expect(kit.errors).toEqual([]);
  });

  it("tops the wallet up from a code in the member's language, and refuses an unknown and an inactive code", async () => {
    await rpc.call(RPC.payments.createPromoCode, {
      botId: shop.botId,
      code: 'GIFT50',
      definition: { reward: { walletTopUp: { currency: 'XTR', amount: '50' } }, active: true },
      createdBy: 'api:admin',
    });
    await rpc.call(RPC.payments.createPromoCode, {
      botId: shop.botId,
      code: 'PAUSED',
      definition: { reward: { walletTopUp: { currency: 'XTR', amount: '50' } }, active: false },
      createdBy: 'api:admin',
    });
    const boris = kit.user('Boris', 'ru');
    const chat = shop.chat(boris);
    expect(await ask(chat, 'promo', 'gift50', (t) => t.startsWith('Промокод'))).toBe('Промокод принят: ⭐ 50 зачислено в кошелёк (/balance).');
    expect(await ask(chat, 'balance', '', (t) => t.startsWith('Ваш баланс'))).toContain('пополнение +⭐ 50 (promo GIFT50)');
    expect(await ask(chat, 'promo', 'NOPE1234', (t) => t.startsWith('В этом'))).toBe('В этом боте нет такого промокода.');
    expect(await ask(chat, 'promo', 'PAUSED', (t) => t.startsWith('Этот'))).toBe('Этот промокод не активен.');
    expect(kit.errors).toEqual([]);
  });

  it('takes a percent discount off the next purchase only, and spends it when that purchase completes', async () => {
    await rpc.call(RPC.subscriptions.createPlan, { planId: randomUUID(), botId: shop.botId, plan: MONTH });
    await rpc.call(RPC.payments.createPromoCode, {
      botId: shop.botId,
      code: 'TWENTY',
      definition: { reward: { percentOff: 20 }, active: true },
      createdBy: 'api:admin',
    });
    const cleo = kit.user('Cleo', 'en');
    const chat = shop.chat(cleo);
    expect(await ask(chat, 'promo', 'twenty', (t) => t.startsWith('Promo code accepted'))).toBe('Promo code accepted: 20% off your next purchase in /plans.');

    const invoice = await buy(chat);
    expect(invoice.invoice).toMatchObject({ currency: 'XTR', total_amount: 200 });
    const thanks = chat.waitForMessage((message) => text(message).startsWith('Thank you!'));
    expect((await chat.payInvoice(invoice)).status).toBe('paid');
    await thanks;
    const [charge] = kit.sandbox.payments(shop.telegram).filter((payment) => payment.userId === cleo.id);
    const rows = await payments.dependencies.orm.em
      .getConnection()
      .execute<{ consumed_by_payment: string | null }[]>('SELECT consumed_by_payment FROM payments.member_discounts WHERE telegram_user_id = ?', [cleo.id]);
    expect(rows).toEqual([{ consumed_by_payment: charge!.payload }]);

    // Spent: the next purchase is at the full price.
    expect((await buy(chat)).invoice).toMatchObject({ total_amount: 250 });
    expect(kit.errors).toEqual([]);
  });

  it('takes a fixed discount off a plan paid from the wallet', async () => {
    await rpc.call(RPC.payments.createPromoCode, {
      botId: shop.botId,
      code: 'FIFTYOFF',
      definition: { reward: { fixedOff: { currency: 'XTR', amount: '50' } }, active: true },
      createdBy: 'api:admin',
    });
    const dan = kit.user('Dan', 'en');
    const chat = shop.chat(dan);
    await rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId: String(dan.id),
      currency: 'XTR',
      amount: '200',
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
    expect(await ask(chat, 'promo', 'FIFTYOFF', (t) => t.startsWith('Promo code accepted'))).toBe(
      'Promo code accepted: ⭐ 50 off your next purchase in /plans.',
    );
    const plans = await rpc.call(RPC.subscriptions.listPlans, { botId: shop.botId });
    const month = plans.plans!.find((plan) => plan.definition?.texts?.[0]?.name === 'Month')!;
    const paid = await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(dan.id), planId: month.planId! });
    expect(paid.payment).toMatchObject({ amount: '200', provider: 'wallet', status: 'PAYMENT_STATUS_COMPLETED' });
    const balance = await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId: String(dan.id) });
    expect(balance.balances).toEqual([{ currency: 'XTR', amount: '0' }]);
    const rows = await payments.dependencies.orm.em
      .getConnection()
      .execute<{ consumed_by_payment: string | null }[]>('SELECT consumed_by_payment FROM payments.member_discounts WHERE telegram_user_id = ?', [dan.id]);
    expect(rows).toEqual([{ consumed_by_payment: paid.payment!.paymentId }]);

    // Spent: the next wallet payment is at the full price.
    await rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId: String(dan.id),
      currency: 'XTR',
      amount: '250',
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
    const again = await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(dan.id), planId: month.planId! });
    expect(again.payment).toMatchObject({ amount: '250', status: 'PAYMENT_STATUS_COMPLETED' });
  });

  it('spends one discount once when four wallet payments of the member race for it', async () => {
    await rpc.call(RPC.payments.createPromoCode, {
      botId: shop.botId,
      code: 'RACEOFF',
      definition: { reward: { fixedOff: { currency: 'XTR', amount: '50' } }, active: true },
      createdBy: 'api:admin',
    });
    const eve = kit.user('Eve', 'en');
    const chat = shop.chat(eve);
    const telegramUserId = String(eve.id);
    await rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId,
      currency: 'XTR',
      amount: '1000',
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
    expect(await ask(chat, 'promo', 'RACEOFF', (t) => t.startsWith('Promo code accepted'))).toBe(
      'Promo code accepted: ⭐ 50 off your next purchase in /plans.',
    );
    const plans = await rpc.call(RPC.subscriptions.listPlans, { botId: shop.botId });
    const month = plans.plans!.find((plan) => plan.definition?.texts?.[0]?.name === 'Month')!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId, planId: month.planId! })),
    );
    const paidAmounts = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.payment!.amount] : []));
    const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as RpcCallError).code] : []));
    // One payment has the discount; each other one paid the full price or was told the price changed.
    expect(paidAmounts.filter((amount) => amount === '200')).toHaveLength(1);
    expect(paidAmounts.filter((amount) => amount !== '200').every((amount) => amount === '250')).toBe(true);
    expect(refusals.every((code) => code === 'PAYMENTS.PRICE_CHANGED')).toBe(true);
    const charged = paidAmounts.reduce((sum, amount) => sum + Number(amount), 0);
    const balance = await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId });
    expect(balance.balances).toEqual([{ currency: 'XTR', amount: String(1000 - charged) }]);
  });
});
