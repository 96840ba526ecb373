import type { FeatureTestKit, KitBot } from '@botplatform/bot-kit';
import type { RpcClient } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import type { RunningService } from '@botplatform/service-kit';
import type { SandboxChat, SandboxUser } from '@botplatform/telegram-sandbox';
import { waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';

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

const TRIAL: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Trial', description: 'Three free days' }],
  periodDays: 3,
  prices: [],
  trial: true,
  active: true,
  sortOrder: 2,
};

/**
 * Referrals as members meet them: Ann's link brings Bob, Bob's brings Cat (each registered by the users
 * service with the /start payload, as the gateway's first contact does); the bot gives 10 % on level 1 and
 * 5 % on level 2 (its users settings `referral_percent` [10, 5] and `referral_levels` 2). Cat tops her wallet
 * up with `/start promo_CODE` (a promo grant: no reward) and gets a trial (no reward), then pays a plan from
 * the wallet (a payment: Bob and Ann earn); /referral shows the link, who joined and the earnings in en and
 * ru; the refund takes the rewards back once. Users, subscriptions and payments on one in-process broker,
 * the sandbox as Telegram.
 */
describe('Referrals and deep links in the bot', () => {
  let harness: ShopHarness | undefined;
  let users: RunningService;
  let payments: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let shop: KitBot;
  let planId: string;

  const join = (member: SandboxUser, startPayload?: string) =>
    rpc.call(RPC.users.registerUser, {
      botId: shop.botId,
      telegramUserId: String(member.id),
      firstName: member.firstName,
      languageCode: member.languageCode ?? 'en',
      ...(startPayload ? { startPayload } : {}),
    });
  const balanceOf = async (member: SandboxUser) =>
    (await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId: String(member.id) })).balances?.find((b) => b.currency === 'XTR')
      ?.amount ?? '0';
  const kindsOf = async (member: SandboxUser) =>
    (await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId: String(member.id), lastEntries: 50 }))
      .entries!.map((entry) => `${entry.kind}:${entry.amount}`)
      .reverse();
  const links = () =>
    runSql<{ referred: string; referrer: string }>(
      payments.dependencies.orm.em.fork(),
      'SELECT referred_telegram_user_id::text AS referred, referrer_telegram_user_id::text AS referrer FROM payments.referral_links WHERE bot_id = $1 ORDER BY joined_at, 1',
      [shop.botId],
    );
  const ask = async (chat: SandboxChat, command: string, payload: string, match: (text: string) => boolean) => {
    const answer = chat.waitForMessage((message) => match(message.text ?? ''));
    chat.sendCommand(command, payload || undefined);
    return (await answer).text ?? '';
  };

  beforeAll(async () => {
    harness = await startShopHarness('bp_referrals', { users: { settings: { referral_percent: [10, 5], referral_levels: 2 } } });
    ({ payments, rpc, kit, shop } = harness);
    users = harness.users!;
    planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan: MONTH });
    await rpc.call(RPC.subscriptions.createPlan, { planId: randomUUID(), botId: shop.botId, plan: TRIAL });
    await rpc.call(RPC.payments.createPromoCode, {
      botId: shop.botId,
      code: 'GIFT500',
      definition: { reward: { walletTopUp: { currency: 'XTR', amount: '500' } }, active: true },
      createdBy: 'api:admin',
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('links who came through whose link, rewards payments two levels up (not promo grants or trials), shows it in /referral, and takes it back on refund', async () => {
    const [ann, bob, cat, dan, eve] = [kit.user('Ann', 'en'), kit.user('Bob', 'ru'), kit.user('Cat', 'en'), kit.user('Dan', 'en'), kit.user('Eve', 'en')];
    await join(ann);
    await join(bob, `ref_${ann.id}`);
    await join(cat, `ref_${bob.id}`);
    // A self-referral, and a referrer who never joined this bot: no link.
    await join(dan, `ref_${dan.id}`);
    await join(eve, 'ref_424242424');
    // Bob's /start ref_… again (he is a member already): the users service registers no second join.
    await join(bob, `ref_${cat.id}`);
    await waitFor('the two referral links', async () => (await links()).length === 2 && (await links()));
    expect(await links()).toEqual([
      { referred: String(bob.id), referrer: String(ann.id) },
      { referred: String(cat.id), referrer: String(bob.id) },
    ]);
    // Joined through a link: published as payments.referral.joined.v1 (stored as ReferralLinked on the member's stream).
    expect((await payments.dependencies.store.readStream(`referral-${shop.botId}-${cat.id}`)).events.map((event) => event.type)).toEqual(['ReferralLinked']);
    expect(users.name).toBe('users');

    // A promo grant through the deep link: the wallet is topped up, nobody earns.
    const catChat = shop.chat(cat);
    expect(await ask(catChat, 'start', 'promo_GIFT500', (t) => t.startsWith('Promo code'))).toBe(
      'Promo code accepted: ⭐ 500 added to your wallet (/balance).',
    );
    // A trial: a grant of subscriptions, no payment, nobody earns.
    await rpc.call(RPC.subscriptions.startTrial, { botId: shop.botId, telegramUserId: String(cat.id) });

    // Payments: Bob's (Ann earns 10 %) and Cat's from the promo's money (Bob 10 %, Ann 5 % of 250 = 12.5 → 12).
    await rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId: String(bob.id),
      currency: 'XTR',
      amount: '250',
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
    await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(bob.id), planId });
    const catPaid = await rpc.call(RPC.payments.payFromWallet, { botId: shop.botId, telegramUserId: String(cat.id), planId });
    await waitFor("Ann's two rewards", async () => (await balanceOf(ann)) === '37');
    await waitFor("Bob's reward", async () => (await balanceOf(bob)) === '25');
    expect(await kindsOf(ann)).toEqual(['WALLET_ENTRY_KIND_REFERRAL_REWARD:25', 'WALLET_ENTRY_KIND_REFERRAL_REWARD:12']);
    expect(await kindsOf(bob)).toEqual(['WALLET_ENTRY_KIND_TOP_UP:250', 'WALLET_ENTRY_KIND_SPEND:-250', 'WALLET_ENTRY_KIND_REFERRAL_REWARD:25']);
    expect(await kindsOf(cat)).toEqual(['WALLET_ENTRY_KIND_TOP_UP:500', 'WALLET_ENTRY_KIND_SPEND:-250']);

    const link = (member: SandboxUser) => `https://t.me/${shop.telegram.username}?start=ref_${member.id}`;
    expect(await ask(shop.chat(ann), 'referral', '', (t) => t.startsWith('Your invite link'))).toBe(
      [
        `Your invite link:\n${link(ann)}`,
        'You earn a share of every payment of the friends who join through it, and of the friends they bring, into your wallet (/balance). Share by level: 1: 10%, 2: 5%.',
        'Joined through your link: 1',
        'Earned: ⭐ 37',
      ].join('\n\n'),
    );
    const bobChat = shop.chat(bob);
    const bobsReferral = await ask(bobChat, 'referral', '', (t) => t.startsWith('Ваша ссылка'));
    expect(bobsReferral).toContain(`Ваша ссылка-приглашение:\n${link(bob)}`);
    expect(bobsReferral).toContain('Присоединились по вашей ссылке: 1');
    expect(bobsReferral).toContain('Заработано: ⭐ 25');
    expect(await ask(bobChat, 'balance', '', (t) => t.startsWith('Ваш баланс'))).toContain('реферальная награда +⭐ 25 (level 1)');

    // Cat's payment refunded (to her wallet): Bob's and Ann's rewards of it are taken back, once.
    await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        rpc.call(RPC.payments.refundPayment, { botId: shop.botId, paymentId: catPaid.payment!.paymentId!, reason: 'asked', refundedBy: 'api:admin' }),
      ),
    );
    await waitFor("the reversal of Bob's reward", async () => (await balanceOf(bob)) === '0');
    await waitFor("the reversal of Ann's level-2 reward", async () => (await balanceOf(ann)) === '25');
    expect(await kindsOf(ann)).toEqual([
      'WALLET_ENTRY_KIND_REFERRAL_REWARD:25',
      'WALLET_ENTRY_KIND_REFERRAL_REWARD:12',
      'WALLET_ENTRY_KIND_REFERRAL_REVERSAL:-12',
    ]);
    expect(await ask(bobChat, 'referral', '', (t) => t.startsWith('Ваша ссылка'))).toContain('Заработано: пока ничего');
    expect(await ask(shop.chat(ann), 'referral', '', (t) => t.startsWith('Your invite link'))).toContain('Earned: ⭐ 25');
    expect(await ask(shop.chat(dan), 'referral', '', (t) => t.startsWith('Your invite link'))).toContain('Joined through your link: 0');
    expect(kit.errors).toEqual([]);
  });

  it('redeems /start promo_CODE once per member, refuses an unknown code, and leaves other /start payloads to the gateway', async () => {
    const fay = kit.user('Fay', 'ru');
    const chat = shop.chat(fay);
    expect(await ask(chat, 'start', 'promo_gift500', (t) => t.startsWith('Промокод') || t.startsWith('Вы'))).toBe(
      'Промокод принят: ⭐ 500 зачислено в кошелёк (/balance).',
    );
    expect(await ask(chat, 'start', 'promo_GIFT500', (t) => t.startsWith('Вы'))).toBe('Вы уже использовали этот промокод.');
    expect(await ask(chat, 'start', 'promo_NOPE1234', (t) => t.startsWith('В этом'))).toBe('В этом боте нет такого промокода.');
    expect(await balanceOf(fay)).toBe('500');
    // Not a declared prefix: nothing reaches payments (the gateway greets), so the kit sees no answer and no error.
    const before = chat.botMessages().length;
    chat.sendCommand('start', `ref_${fay.id}`);
    chat.sendCommand('start');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(chat.botMessages().length).toBe(before);
    expect(kit.errors).toEqual([]);
  });
});
