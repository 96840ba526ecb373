import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import { type RunningService } from '@botplatform/service-kit';
import type { SandboxChat } from '@botplatform/telegram-sandbox';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  periodDays: 31,
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const text = (message: Message) => message.text ?? '';

/**
 * Paying a plan from the wallet as a member does it: /plans → the plan's card → "Pay from wallet"
 * (subscriptions' card, the press routed to payments by its namespace), the plan granted once and
 * shown by /subscription, the ledger by /balance; the refund of a wallet payment gives the amount back
 * to the wallet once. Subscriptions and payments on one in-process broker, the sandbox as Telegram.
 */
describe('Paying a plan from the wallet', () => {
  let harness: ShopHarness | undefined;
  let subscriptions: RunningService;
  let payments: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let shop: KitBot;
  let planId: string;

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as RpcCallError,
    );
  const typesOf = async (service: RunningService, streamId: string) =>
    (await service.dependencies.store.readStream(streamId)).events.map((event) => event.type);
  const topUp = (user: number, amount: string) =>
    rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId: String(user),
      currency: 'XTR',
      amount,
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
  const balanceOf = async (user: number) =>
    (await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId: String(user) })).balances?.find((b) => b.currency === 'XTR')?.amount;
  /** /plans → the plan's card: the card message. */
  const card = async (chat: SandboxChat, button: string, title: string) => {
    const menu = chat.waitForMessage((message) => message.reply_markup !== undefined && text(message) !== '');
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, button);
    return chat.waitForEdit((message) => text(message).startsWith(title));
  };

  beforeAll(async () => {
    harness = await startShopHarness('bp_wallet_purchase');
    ({ subscriptions, payments, rpc, kit, shop } = harness);
    planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan: MONTH });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('pays /plans from the wallet: the plan is granted once, /subscription shows it, /balance shows the spend; the refund returns it to the wallet once', async () => {
    const ann = kit.user('Ann', 'en');
    const chat = shop.chat(ann);
    await topUp(ann.id, '300');

    const thanks = chat.waitForMessage((message) => text(message).startsWith('Paid ⭐ 250 from your wallet.'));
    const answer = await chat.pressCallbackButton(await card(chat, 'Month · ⭐ 250', 'Month'), 'Pay from wallet');
    expect(answer.showAlert).toBe(false);
    expect(text(await thanks)).toMatch(/^Paid ⭐ 250 from your wallet\. Month is yours until \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)\.$/);
    expect(await balanceOf(ann.id)).toBe('50');
    expect(kit.sandbox.payments(shop.telegram)).toEqual([]);

    const [row] = await payments.dependencies.orm.em
      .getConnection()
      .execute<{ payment_id: string; provider: string; status: string; charge_id: string }[]>(
        'SELECT payment_id, provider, status, charge_id FROM payments.payments WHERE telegram_user_id = ?',
        [ann.id],
      );
    expect(row).toMatchObject({ provider: 'wallet', status: 'completed', charge_id: `wallet:${row!.payment_id}` });
    expect(await typesOf(payments, `payment-${row!.payment_id}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${ann.id}`)).toEqual(['SubscriptionStarted']);

    const status = chat.waitForMessage((message) => text(message).includes('Plan: Month'));
    chat.sendCommand('subscription');
    expect(text(await status)).toMatch(/Active until/);

    const ledger = chat.waitForMessage((message) => text(message).startsWith('Your balance:'));
    chat.sendCommand('balance');
    const lines = text(await ledger).split('\n');
    expect(lines.slice(0, 3)).toEqual(['Your balance:', '  ⭐ 50', '']);
    expect(lines[4]).toMatch(/ payment −⭐ 250$/);
    expect(lines[5]).toMatch(/ top-up \+⭐ 300$/);

    // The refund of a wallet payment goes back to the wallet (not to Telegram), and only once.
    const refunds = await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        rpc.call(RPC.payments.refundPayment, { botId: shop.botId, paymentId: row!.payment_id, reason: 'asked', refundedBy: 'api:admin' }),
      ),
    );
    expect(refunds.filter((refund) => refund.status === 'fulfilled')).toHaveLength(1);
    expect(refunds.flatMap((refund) => (refund.status === 'rejected' ? [(refund.reason as RpcCallError).code] : []))).toEqual([
      'PAYMENTS.ALREADY_REFUNDED',
      'PAYMENTS.ALREADY_REFUNDED',
    ]);
    const again = await failure(
      rpc.call(RPC.payments.refundPayment, { botId: shop.botId, paymentId: row!.payment_id, reason: 'again', refundedBy: 'api:admin' }),
    );
    expect(again.code).toBe('PAYMENTS.ALREADY_REFUNDED');
    expect(await balanceOf(ann.id)).toBe('300');
    expect(await typesOf(payments, `wallet-${shop.botId}-${ann.id}-XTR`)).toEqual(['WalletToppedUp', 'WalletSpent', 'WalletRefunded']);
    expect((await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(ann.id) })).hasAccess ?? false).toBe(false);
    expect(kit.errors).toEqual([]);
  });

  it("refuses a wallet that does not cover the plan, in the member's language, and charges nothing", async () => {
    const boris = kit.user('Boris', 'ru');
    const chat = shop.chat(boris);
    await topUp(boris.id, '249');
    const answer = await chat.pressCallbackButton(await card(chat, 'Месяц · ⭐ 250', 'Месяц'), 'Оплатить из кошелька');
    expect(answer).toMatchObject({ showAlert: true, text: 'На балансе кошелька не хватает на этот тариф. Ничего не списано.' });
    expect(await balanceOf(boris.id)).toBe('249');
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${boris.id}`)).toEqual([]);
    expect(kit.errors).toEqual([]);
  });

  it('takes the money and grants exactly as many times as the balance covers when the member pays five times at once', async () => {
    const cyril = kit.user('Cyril', 'en');
    await topUp(cyril.id, '500');
    const pay = () => rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(cyril.id), planId });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, pay));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    expect(outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as RpcCallError).code] : []))).toEqual(
      Array.from({ length: 3 }, () => 'PAYMENTS.INSUFFICIENT_BALANCE'),
    );
    // Two payments fit the balance: each took 250 once and extended once; the other three were refused.
    expect(await balanceOf(cyril.id)).toBe('0');
    expect(await typesOf(subscriptions, `subscription-${shop.botId}-${cyril.id}`)).toEqual(['SubscriptionStarted', 'SubscriptionExtended']);
    const rows = await payments.dependencies.orm.em
      .getConnection()
      .execute<{ status: string }[]>('SELECT status FROM payments.payments WHERE telegram_user_id = ? ORDER BY status', [cyril.id]);
    // A refused payment either never started (the balance was read as too low) or failed when its spend was refused.
    expect(rows.filter((r) => r.status === 'completed')).toHaveLength(2);
    expect(rows.filter((r) => r.status !== 'completed').every((r) => r.status === 'failed')).toBe(true);
  });
});
