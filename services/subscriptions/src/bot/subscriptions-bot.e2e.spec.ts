import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import type { SandboxChat, SandboxUser } from '@botplatform/telegram-sandbox';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startSubscriptionsTestService, type SubscriptionsTestService } from '../testing/subscriptions-test-service.js';

/** 2026-11-01 13:00 in Berlin (UTC+1 in November): the bot's time zone in this file. */
const T0 = new Date('2026-11-01T12:00:00.000Z');
const ZONE = 'Europe/Berlin';

const PLANS: Record<string, PlanDefinitionJson> = {
  year: {
    texts: [
      { language: 'en', name: 'Year', description: 'A whole year of premium' },
      { language: 'ru', name: 'Год', description: 'Целый год премиума' },
    ],
    periodDays: 365,
    prices: [
      { currency: 'XTR', amount: '2500' },
      { currency: 'USD', amount: '4999' },
      { currency: 'JPY', amount: '7500' },
    ],
    quotaLevel: 'premium',
    active: true,
    sortOrder: 1,
  },
  month: {
    texts: [
      { language: 'en', name: 'Month', description: 'Premium for a month' },
      { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
    ],
    periodDays: 30,
    // Stars are shown first whatever the order here.
    prices: [
      { currency: 'EUR', amount: '499' },
      { currency: 'XTR', amount: '250' },
    ],
    quotaLevel: 'premium',
    active: true,
    sortOrder: 2,
  },
  // English only: Russian readers get the English name.
  pack: { texts: [{ language: 'en', name: 'Credits' }], credits: 20, prices: [{ currency: 'XTR', amount: '100' }], active: true, sortOrder: 3 },
  trial: {
    texts: [
      { language: 'en', name: 'Trial' },
      { language: 'ru', name: 'Пробный' },
    ],
    periodDays: 7,
    quotaLevel: 'premium',
    active: true,
    trial: true,
    sortOrder: 4,
  },
  // Not on sale: only an admin grants it.
  vip: { texts: [{ language: 'en', name: 'VIP' }], periodDays: 90, quotaLevel: 'vip', sortOrder: 5 },
};

const text = (expected: string | RegExp) => (message: Message) =>
  typeof expected === 'string' ? message.text === expected : expected.test(message.text ?? '');
const buttonsOf = (message: Message) => message.reply_markup?.inline_keyboard.flat().map((button) => button.text) ?? [];

/**
 * The subscriptions service's bot screens as members and admins use them: the service started as the
 * platform starts it (its own database, in-process transport, a test clock), and the feature test kit
 * playing the gateway's routing against the Telegram sandbox, in the bot's time zone.
 */
describe('The subscriptions screens in a bot', () => {
  let t: SubscriptionsTestService;
  let kit: FeatureTestKit;
  let shop: KitBot;
  const plans: Record<string, string> = {};

  const streamOf = (user: SandboxUser) => t.streamEvents(`subscription-${shop.botId}-${user.id}`);
  const accessOf = (user: SandboxUser) => t.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(user.id) });

  beforeAll(async () => {
    t = await startSubscriptionsTestService('bp_subscriptions_bot', T0);
    const router = t.service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: t.call }, declarations: () => [router.declaration()], timeZone: ZONE });
    shop = await kit.bot({ botId: randomUUID(), name: 'Shop' });
    for (const [name, plan] of Object.entries(PLANS)) {
      plans[name] = randomUUID();
      await t.call(RPC.subscriptions.createPlan, { planId: plans[name], botId: shop.botId, plan });
    }
  });

  afterAll(async () => {
    await kit?.close();
    await t?.close();
  });

  it('declares its commands, buttons and questions to the gateway', () => {
    const declaration = t.service.declarer!.router.declaration();
    expect(declaration.commands?.map((command) => [command.command, command.audience])).toEqual([
      ['plans', 'AUDIENCE_EVERYONE'],
      ['subadmin', 'AUDIENCE_ADMINS'],
      ['subscription', 'AUDIENCE_EVERYONE'],
    ]);
    expect(declaration.commands?.[0]?.descriptions).toEqual({ en: 'plans and prices', ru: 'тарифы и цены' });
    expect(declaration.callbackNamespaces?.map((namespace) => namespace.namespace)).toEqual(['sub', 'subadm', 'subme']);
  });

  it('refuses an update the gateway would never send with a typed error', async () => {
    const noTrigger = { context: { botId: shop.botId, member: { telegramUserId: '42' } }, updateId: '1', chatId: '42' };
    expect((await t.failure(t.call(RPC.subscriptions.handleBotUpdate, noTrigger))).code).toBe('BOT.INVALID_UPDATE');
    const noMember = { context: { botId: shop.botId }, updateId: '1', chatId: '42', command: { command: 'plans' } };
    expect((await t.failure(t.call(RPC.subscriptions.handleBotUpdate, noMember))).code).toBe('BOT.INVALID_UPDATE');
  });

  it("lists the plans on sale in their order, prices exact, in the member's language; Buy without the payments service answers that payments are unavailable and changes nothing", async () => {
    const ann = bot('Ann', 'en');
    ann.chat.sendCommand('plans');
    const english = await ann.chat.waitForMessage(text('Choose a plan:'));
    expect(buttonsOf(english)).toEqual(['Year · ⭐ 2500 / 49.99 USD / 7500 JPY', 'Month · ⭐ 250 / 4.99 EUR', 'Credits · ⭐ 100', '🎁 Free trial: 7 days']);

    const boris = bot('Boris', 'ru');
    boris.chat.sendCommand('plans');
    const russian = await boris.chat.waitForMessage(text('Выберите тариф:'));
    expect(buttonsOf(russian)).toEqual([
      'Год · ⭐ 2500 / 49.99 USD / 7500 JPY',
      'Месяц · ⭐ 250 / 4.99 EUR',
      'Credits · ⭐ 100',
      '🎁 Бесплатный пробный период: 7 дней',
    ]);

    await boris.chat.pressCallbackButton(russian, 'Месяц · ⭐ 250 / 4.99 EUR');
    const card = await boris.chat.waitForEdit(text(/^Месяц/));
    expect(card.text).toBe('Месяц\nПремиум на месяц\n\nДоступ на 30 дней\nЦена: ⭐ 250 / 4.99 EUR');
    expect(buttonsOf(card)).toEqual(['Купить', 'Оплатить из кошелька', '« Назад']);
    const events = await t.countEvents();
    expect(await boris.chat.pressCallbackButton(card, 'Купить')).toMatchObject({
      // The payments service is not started in this file (the purchase itself is services/platform's e2e).
      text: 'Оплата сейчас недоступна. Деньги не списаны. Попробуйте ещё раз через минуту.',
      showAlert: true,
    });
    expect(await t.countEvents()).toBe(events);
    // Paying from the wallet without the payments service is refused the same way, and writes nothing.
    expect(await boris.chat.pressCallbackButton(card, 'Оплатить из кошелька')).toMatchObject({
      text: 'Оплата сейчас недоступна. Деньги не списаны. Попробуйте ещё раз через минуту.',
      showAlert: true,
    });
    expect(await t.countEvents()).toBe(events);
    expect(await accessOf(boris.user)).toEqual({ reason: 'ACCESS_REASON_NONE' });
    await boris.chat.pressCallbackButton(card, '« Назад');
    await boris.chat.waitForEdit(text('Выберите тариф:'));

    // A language the service has no texts in reads English.
    const carl = bot('Carl', 'de');
    carl.chat.sendCommand('plans');
    expect(buttonsOf(await carl.chat.waitForMessage(text('Choose a plan:')))).toContain('Month · ⭐ 250 / 4.99 EUR');
  });

  it("starts the trial once through its button: a second press is refused in the member's language", async () => {
    const dasha = bot('Dasha', 'ru');
    dasha.chat.sendCommand('plans');
    const first = await dasha.chat.waitForMessage(text('Выберите тариф:'));
    dasha.chat.sendCommand('plans');
    const second = await dasha.chat.waitForMessage(text('Выберите тариф:'));

    await dasha.chat.pressCallbackButton(first, '🎁 Бесплатный пробный период: 7 дней');
    await dasha.chat.waitForEdit(text(`Пробный период «Пробный» действует до 2026-11-08 13:00 (${ZONE}).`));
    expect(await dasha.chat.pressCallbackButton(second, '🎁 Бесплатный пробный период: 7 дней')).toMatchObject({
      text: 'Вы уже брали пробный период этого бота: он даётся один раз.',
      showAlert: true,
    });
    expect((await streamOf(dasha.user)).map((event) => event.type)).toEqual(['SubscriptionStarted']);
    expect(await accessOf(dasha.user)).toMatchObject({ hasAccess: true, reason: 'ACCESS_REASON_TRIAL', planId: plans.trial });

    // Taken: no longer offered, and shown as the member's trial (a trial is not renewed: no switch).
    dasha.chat.sendCommand('plans');
    expect(buttonsOf(await dasha.chat.waitForMessage(text('Выберите тариф:')))).not.toContain('🎁 Бесплатный пробный период: 7 дней');
    dasha.chat.sendCommand('subscription');
    const status = await dasha.chat.waitForMessage(text(/^Пробный период: /));
    expect(status.text).toBe(`Пробный период: Пробный\nДействует до 2026-11-08 13:00 (${ZONE})`);
    expect(buttonsOf(status)).toEqual([]);
  });

  it('offers no trial to a running subscriber, and says so when nothing is on sale', async () => {
    const kim = bot('Kim', 'en');
    kim.chat.sendCommand('plans');
    const before = await kim.chat.waitForMessage(text('Choose a plan:'));
    await t.call(RPC.subscriptions.grantSubscription, {
      botId: shop.botId,
      telegramUserId: String(kim.user.id),
      grantId: 'charge-kim',
      planId: plans.month!,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
    });
    kim.chat.sendCommand('plans');
    expect(buttonsOf(await kim.chat.waitForMessage(text('Choose a plan:')))).not.toContain('🎁 Free trial: 7 days');
    // The offer shown before the purchase is refused by the use case itself.
    expect(await kim.chat.pressCallbackButton(before, '🎁 Free trial: 7 days')).toMatchObject({
      text: 'Your subscription is running already, so the trial is not for now.',
      showAlert: true,
    });

    const empty = await kit.bot({ botId: randomUUID(), name: 'Empty' });
    const chat = empty.chat(kit.user('Lea', 'ru'));
    chat.sendCommand('plans');
    expect(buttonsOf(await chat.waitForMessage(text('Тарифов в продаже пока нет.')))).toEqual([]);
  });

  it('shows /subscription and switches renewal off and on from its button', async () => {
    const eve = bot('Eve', 'en');
    eve.chat.sendCommand('subscription');
    const none = await eve.chat.waitForMessage(text('You have no subscription.'));
    await eve.chat.pressCallbackButton(none, 'See the plans');
    await eve.chat.waitForEdit(text('Choose a plan:'));

    await t.call(RPC.subscriptions.grantSubscription, {
      botId: shop.botId,
      telegramUserId: String(eve.user.id),
      grantId: 'charge-1',
      planId: plans.month!,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
    });
    eve.chat.sendCommand('subscription');
    const on = await eve.chat.waitForMessage(text(/^Plan: /));
    expect(on.text).toBe(`Plan: Month\nActive until 2026-12-01 13:00 (${ZONE})\nRenewal: on, from your wallet. Next attempt: 2026-11-30 13:00 (${ZONE})`);
    expect(buttonsOf(on)).toEqual(['Turn renewal off']);

    expect((await eve.chat.pressCallbackButton(on, 'Turn renewal off')).text).toBe('Renewal is off.');
    const off = await eve.chat.waitForEdit(text(/Renewal: off/));
    expect(off.text).toBe(`Plan: Month\nActive until 2026-12-01 13:00 (${ZONE})\nRenewal: off (it stays active until the end)`);
    expect((await eve.chat.pressCallbackButton(off, 'Turn renewal on')).text).toBe('Renewal is on.');
    await eve.chat.waitForEdit(text(/Renewal: on, from your wallet\. Next attempt: 2026-11-30 13:00/));
    expect((await streamOf(eve.user)).map((event) => event.type)).toEqual(['SubscriptionStarted', 'RenewalCancelled', 'RenewalResumed']);
  });

  it('lets an admin list the plans, then grant, extend, add credits and revoke, as the member then sees it', async () => {
    const olga = bot('Olga', 'en');
    shop.setRole(olga.user, 'ROLE_ADMIN');
    const fred = bot('Fred', 'en');
    const fredId = String(fred.user.id);

    const menu = await openAdmin(olga.chat);
    await olga.chat.pressCallbackButton(menu, 'Plans');
    const list = await olga.chat.waitForEdit(text(/^Plans of this bot:/));
    expect(list.text).toBe(
      [
        'Plans of this bot:',
        '• Year: Access for 365 days, ⭐ 2500 / 49.99 USD / 7500 JPY (on sale)',
        '• Month: Access for 30 days, ⭐ 250 / 4.99 EUR (on sale)',
        '• Credits: A pack of 20 credits, ⭐ 100 (on sale)',
        '• Trial: Access for 7 days, free (on sale, trial)',
        '• VIP: Access for 90 days, free (not on sale)',
      ].join('\n'),
    );
    await olga.chat.pressCallbackButton(list, '« Back');
    const again = await olga.chat.waitForEdit(text('Subscriptions of members. What would you like to do?'));

    // Grant, with a reason: recorded as the admin's.
    const card = await findMember(olga.chat, again, fredId);
    expect(card.text).toBe(`Member ${fredId}\nNo subscription, no credits.`);
    await olga.chat.pressCallbackButton(card, 'Grant a plan');
    const choose = await olga.chat.waitForEdit(text(`Which plan do you grant to ${fredId}?`));
    expect(buttonsOf(choose)).toEqual(['Year', 'Month', 'Credits', 'Trial', 'VIP', `« Member ${fredId}`]);
    await olga.chat.pressCallbackButton(choose, 'VIP');
    await olga.chat.waitForMessage(text(`Why do you grant VIP to ${fredId}? Send the reason.`));
    olga.chat.sendText('Contest winner');
    const granted = await olga.chat.waitForMessage(text(/^VIP granted/));
    expect(granted.text).toBe(
      `VIP granted to ${fredId}. Reason: Contest winner\n\nMember ${fredId}\nPlan: VIP\nActive until 2027-01-30 13:00 (${ZONE})\nRenewal: on, from your wallet. Next attempt: 2027-01-29 13:00 (${ZONE})`,
    );
    const [started] = await streamOf(fred.user);
    expect(started).toMatchObject({ type: 'SubscriptionStarted', data: { planId: plans.vip, source: 'admin', reason: 'Contest winner' } });
    expect(started!.metadata.actor).toEqual({ kind: 'admin', id: String(olga.user.id) });
    expect(await accessOf(fred.user)).toMatchObject({ hasAccess: true, reason: 'ACCESS_REASON_PLAN', quotaLevel: 'vip' });
    fred.chat.sendCommand('subscription');
    await fred.chat.waitForMessage(
      text(`Plan: VIP\nActive until 2027-01-30 13:00 (${ZONE})\nRenewal: on, from your wallet. Next attempt: 2027-01-29 13:00 (${ZONE})`),
    );

    // Extend by N days: a wrong number is asked again.
    await olga.chat.pressCallbackButton(granted, 'Extend');
    await olga.chat.waitForMessage(text(`By how many days do you extend the subscription of ${fredId}? Send a number from 1 to 3660.`));
    olga.chat.sendText('ten');
    await olga.chat.waitForMessage(text('Send a whole number from 1 to 3660.'));
    olga.chat.sendText('10');
    const extended = await olga.chat.waitForMessage(text(/^The subscription of \d+ is extended/));
    expect(extended.text?.split('\n')[0]).toBe(`The subscription of ${fredId} is extended by 10 days, until 2027-02-09 13:00 (${ZONE}).`);

    // Credits of a pack.
    await olga.chat.pressCallbackButton(extended, 'Add credits');
    const packs = await olga.chat.waitForEdit(text(`Which credit pack do the credits for ${fredId} come from?`));
    expect(buttonsOf(packs)).toEqual(['Credits', `« Member ${fredId}`]);
    await olga.chat.pressCallbackButton(packs, 'Credits');
    await olga.chat.waitForMessage(text(`How many credits of Credits do you add to ${fredId}? Send a number from 1 to 1000000.`));
    olga.chat.sendText('25');
    const credited = await olga.chat.waitForMessage(text(/credits added/));
    expect(credited.text?.split('\n')[0]).toBe(`25 credits added to ${fredId}. Credits left now: 25.`);
    fred.chat.sendCommand('subscription');
    await fred.chat.waitForMessage(
      text(`Plan: VIP\nActive until 2027-02-09 13:00 (${ZONE})\nRenewal: on, from your wallet. Next attempt: 2027-02-08 13:00 (${ZONE})\nCredits left: 25`),
    );

    // Revoke, with a reason.
    await olga.chat.pressCallbackButton(credited, 'Revoke');
    await olga.chat.waitForMessage(text(`Why do you revoke the subscription of ${fredId}? Send the reason.`));
    olga.chat.sendText('Refunded');
    await olga.chat.waitForMessage(text(`The subscription of ${fredId} is revoked. Reason: Refunded\n\nMember ${fredId}\nNo subscription, no credits.`));
    expect(await accessOf(fred.user)).toEqual({ reason: 'ACCESS_REASON_NONE' });
    fred.chat.sendCommand('subscription');
    await fred.chat.waitForMessage((message) => message.text === 'You have no subscription.' && fred.chat.botMessages().length === 3);

    const events = await streamOf(fred.user);
    expect(events.map((event) => [event.type, (event.data as { source?: string }).source ?? null])).toEqual([
      ['SubscriptionStarted', 'admin'],
      ['SubscriptionExtended', 'admin'],
      ['CreditsAdded', 'admin'],
      ['SubscriptionRevoked', null],
    ]);
    expect(events.every((event) => event.metadata.actor.kind === 'admin' && event.metadata.actor.id === String(olga.user.id))).toBe(true);
    expect(events.at(-1)).toMatchObject({ data: { reason: 'Refunded', revokedBy: `telegram:${olga.user.id}`, creditsForfeited: 25 } });
  });

  it('tells an admin there is nothing to extend or revoke for a member without a subscription, and that a trial is taken', async () => {
    const olga = bot('Olga', 'en');
    shop.setRole(olga.user, 'ROLE_ADMIN');
    const nobody = String(kit.user('Gus').id);
    const card = await findMember(olga.chat, await openAdmin(olga.chat), nobody);
    await olga.chat.pressCallbackButton(card, 'Extend');
    await olga.chat.waitForMessage(text(/^By how many days/));
    olga.chat.sendText('5');
    const nothing = await olga.chat.waitForMessage(text(/^\d+ has no running subscription to extend/));
    await olga.chat.pressCallbackButton(nothing, 'Revoke');
    await olga.chat.waitForMessage(text(/^Why do you revoke/));
    olga.chat.sendText('spam');
    await olga.chat.waitForMessage(text(`${nobody} has no running subscription or credits to revoke.\n\nMember ${nobody}\nNo subscription, no credits.`));
    expect(await t.streamEvents(`subscription-${shop.botId}-${nobody}`)).toEqual([]);

    // A trial is once per member, whoever grants it: the refusal speaks to the admin.
    const tried = String(kit.user('Hanna').id);
    await t.call(RPC.subscriptions.startTrial, { botId: shop.botId, telegramUserId: tried });
    const triedCard = await findMember(olga.chat, await openAdmin(olga.chat), tried);
    await olga.chat.pressCallbackButton(triedCard, 'Grant a plan');
    await olga.chat.pressCallbackButton(await olga.chat.waitForEdit(text(/^Which plan/)), 'Trial');
    await olga.chat.waitForMessage(text(/^Why do you grant Trial/));
    olga.chat.sendText('again');
    await olga.chat.waitForMessage(text('That member has taken the trial already: a trial is once per member.'));
    expect((await t.streamEvents(`subscription-${shop.botId}-${tried}`)).map((event) => event.type)).toEqual(['SubscriptionStarted']);
  });

  it("refuses /subadmin to a member, and a former admin's buttons and answers change nothing", async () => {
    const hugo = bot('Hugo', 'ru');
    hugo.chat.sendCommand('subadmin');
    await hugo.chat.waitForMessage(text('Это могут делать только администраторы бота.'));

    const mallory = bot('Mallory', 'en');
    shop.setRole(mallory.user, 'ROLE_ADMIN');
    const victim = bot('Ivy', 'en');
    await t.call(RPC.subscriptions.grantSubscription, {
      botId: shop.botId,
      telegramUserId: String(victim.user.id),
      grantId: 'charge-ivy',
      planId: plans.month!,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
    });
    const menu = await openAdmin(mallory.chat);
    const card = await findMember(mallory.chat, menu, String(victim.user.id));
    // A second card of the same member becomes the list of plans to grant.
    await mallory.chat.pressCallbackButton(await findMember(mallory.chat, menu, String(victim.user.id)), 'Grant a plan');
    const choose = await mallory.chat.waitForEdit(text(/^Which plan do you grant/));
    await mallory.chat.pressCallbackButton(card, 'Extend');
    await mallory.chat.waitForMessage(text(/^By how many days/));

    // The rights are taken back; Mallory still holds the buttons and an open question, as a forger would.
    shop.setRole(mallory.user, 'ROLE_USER');
    const before = await streamOf(victim.user);
    const refusal = { text: 'Only admins of this bot can do that.', showAlert: true };
    expect(await mallory.chat.pressCallbackButton(choose, 'VIP')).toMatchObject(refusal);
    expect(await mallory.chat.pressCallbackButton(card, 'Revoke')).toMatchObject(refusal);
    expect(await mallory.chat.pressCallbackButton(card, 'Add credits')).toMatchObject(refusal);
    mallory.chat.sendText('3000');
    await mallory.chat.waitForMessage(text('Only admins of this bot can do that.'));
    mallory.chat.sendCommand('subadmin');
    await mallory.chat.waitForMessage((message) => message.text === 'Only admins of this bot can do that.' && mallory.chat.botMessages().length >= 2);
    expect(await streamOf(victim.user)).toEqual(before);
    expect(await accessOf(victim.user)).toMatchObject({ hasAccess: true, until: '2026-12-01T12:00:00.000Z' });
  });

  /** A member of the shop and their private chat with it. */
  function bot(firstName: string, language: string): { user: SandboxUser; chat: SandboxChat } {
    const user = kit.user(firstName, language);
    return { user, chat: shop.chat(user) };
  }

  async function openAdmin(chat: SandboxChat): Promise<Message> {
    chat.sendCommand('subadmin');
    return chat.waitForMessage(text('Subscriptions of members. What would you like to do?'));
  }

  /** Finds a member by Telegram id from the admin menu (a wrong id is asked again); their card. */
  async function findMember(chat: SandboxChat, menu: Message, telegramUserId: string): Promise<Message> {
    await chat.pressCallbackButton(menu, 'Find a member');
    await chat.waitForMessage(text("Send the member's Telegram id (digits only)."));
    chat.sendText('@fred');
    await chat.waitForMessage(text('That is not a Telegram id. Send digits only, e.g. 123456789.'));
    chat.sendText(telegramUserId);
    return chat.waitForMessage(text(new RegExp(`^Member ${telegramUserId}\\n`)));
  }
});
