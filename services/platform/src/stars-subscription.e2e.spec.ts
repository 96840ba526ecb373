import { type RpcClient } from '@botplatform/bus';
import { RPC, type BotUpdateJson, type PlanDefinitionJson } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { waitFor } from '@botplatform/testing';
import type { Message } from 'grammy/types';
import type { RunningPlatform } from './platform.js';
import { startSandboxedPlatform, type HostedBot, type SandboxedPlatform } from './testing/sandboxed-platform.js';
import { platformWirings, type PlatformWiring } from './testing/platform-wiring.js';

const modes = platformWirings('starsub');

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  periodDays: 30,
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const DAY_MS = 86_400_000;
const text = (message: Message) => message.text ?? '';
const urlOf = (message: Message) => {
  const button = message.reply_markup?.inline_keyboard[0]?.[0];
  return button && 'url' in button ? button.url : undefined;
};

/**
 * A 30-day plan sold as a Telegram Stars subscription through the whole platform, the sandbox as Telegram:
 * Buy sends an invoice link with subscription_period 2592000, the member pays, every renewal Telegram
 * charges extends the subscription by 30 days once (a duplicated successful_payment changes nothing), and
 * the member's cancel in Telegram's own UI (the `subscription` update) turns renewal off at once.
 */
describe.each(Object.keys(modes))('Telegram Stars subscriptions (%s)', (mode) => {
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
  const createPlan = async (plan: PlanDefinitionJson) => {
    const response = await fetch(`${platform.services.get('subscriptions')!.url}/admin/bots/${shop.botId}/plans`, {
      method: 'POST',
      body: JSON.stringify(plan),
      headers: { authorization: `Bearer ${shop.apiToken}`, 'content-type': 'application/json' },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { plan: { planId: string } }).plan.planId;
  };
  const subscriptionEvents = async (user: SandboxUser) =>
    (await platform.services.get('subscriptions')!.dependencies.store.readStream(`subscription-${shop.botId}-${user.id}`)).events;
  const paymentEvents = async (paymentId: string): Promise<readonly RecordedEvent[]> =>
    (await platform.services.get('payments')!.dependencies.store.readStream(`payment-${paymentId}`)).events;
  const typesOf = (events: readonly RecordedEvent[]) => events.map((event) => event.type);
  const endOf = (events: readonly RecordedEvent[]) => Date.parse((events.at(-1)!.data as { endsAt: string }).endsAt);
  /** `/subscription`'s answer for a paid plan: it always says whether renewal is on. */
  const isStatus = (answer: string) => answer.includes('Продление:');
  /**
   * Sends a command and returns the bot's answer to it: the first message `isAnswer` accepts, since the
   * notifications service's messages (a subscription started, renewed) arrive in the same chat whenever
   * their events are handled.
   */
  const ask = async (chat: SandboxChat, command: string, isAnswer: (text: string) => boolean = () => true) => {
    const answer = chat.waitForMessage((message) => isAnswer(text(message)), { timeoutMs: 10_000 });
    chat.sendCommand(command);
    return text(await answer);
  };

  beforeAll(async () => {
    wiring = await modes[mode]();
    harness = await startSandboxedPlatform({ prefix: 'bp_starsub', transports: wiring });
    ({ sandbox, platform } = harness);
    shop = await harness.registerBot({ username: 'stars_club_bot', name: 'Stars club' });
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await harness?.close();
  });

  it('sells a 30-day plan as a Stars subscription: renewed by 30 days once per charge, renewal off at once when the member cancels in Telegram', async () => {
    await createPlan(MONTH);
    const vera = sandbox.createUser({ firstName: 'Vera', languageCode: 'ru' });
    const chat = sandbox.chat(vera, shop.sandbox);
    await ask(chat, 'start');

    // /plans → the card → Buy: a message with a button opening the invoice link (a subscription cannot be a plain invoice).
    const menu = chat.waitForMessage((message) => message.text === 'Выберите тариф:', { timeoutMs: 10_000 });
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Месяц · ⭐ 250', { timeoutMs: 10_000 });
    const card = await chat.waitForEdit((message) => message.text?.startsWith('Месяц') === true, { timeoutMs: 10_000 });
    const offer = chat.waitForMessage((message) => urlOf(message) !== undefined, { timeoutMs: 10_000 });
    await chat.pressCallbackButton(card, 'Купить', { timeoutMs: 10_000 });
    const linkMessage = await offer;
    expect(text(linkMessage)).toContain('подписка за звёзды');
    expect(linkMessage.reply_markup?.inline_keyboard[0]?.[0]?.text).toBe('Подписаться');
    const [linkCall] = sandbox.apiCalls(shop.sandbox, 'createInvoiceLink');
    expect(linkCall!.params).toMatchObject({ currency: 'XTR', subscription_period: '2592000' });

    const thanks = chat.waitForMessage((message) => text(message).startsWith('Спасибо! Месяц ваш'), { timeoutMs: 10_000 });
    expect((await chat.payInvoice(urlOf(linkMessage)!)).status).toBe('paid');
    await thanks;
    const [first] = sandbox.payments(shop.sandbox).filter((payment) => payment.userId === vera.id);
    const paymentId = first!.payload;
    expect(typesOf(await paymentEvents(paymentId))).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect((await paymentEvents(paymentId))[0]!.data).toMatchObject({ subscriptionPeriod: 2_592_000, amount: '250' });
    const started = await subscriptionEvents(vera);
    expect(typesOf(started)).toEqual(['SubscriptionStarted']);
    const status = await ask(chat, 'subscription', isStatus);
    expect(status).toContain('Месяц');
    expect(status).toContain('Продление: включено');
    // Telegram renews it: subscriptions knows, and tries no renewal from the wallet.
    expect(started[0]!.data).toMatchObject({ starsSubscription: true });
    expect(status).not.toContain('кошел');

    // 30 days later Telegram charges the renewal: the same payment's stream records it, the end moves by 30 days.
    const renewedNote = chat.waitForMessage((message) => text(message).startsWith('Спасибо! Месяц продлён'), { timeoutMs: 10_000 });
    const renewals = (await sandbox.advanceTime({ days: 30 })).filter((renewal) => renewal.botId === shop.sandbox.id);
    expect(renewals).toEqual([expect.objectContaining({ status: 'renewed' })]);
    await renewedNote;
    const renewal = renewals[0]!.chargeId!;
    const afterRenewal = await subscriptionEvents(vera);
    expect(typesOf(afterRenewal)).toEqual(['SubscriptionStarted', 'SubscriptionExtended']);
    expect(afterRenewal[1]!.data).toMatchObject({ starsSubscription: true });
    expect(endOf(afterRenewal) - endOf(started)).toBe(30 * DAY_MS);
    const events = await paymentEvents(paymentId);
    expect(typesOf(events)).toEqual(['PaymentCreated', 'PaymentCompleted', 'PaymentRenewed']);
    expect(events[2]!.data).toMatchObject({ chargeId: renewal });

    // Telegram delivers the renewal's successful_payment again: nothing is recorded or granted twice.
    const duplicate: BotUpdateJson = {
      context: { botId: shop.botId, botName: 'Stars club', member: { telegramUserId: String(vera.id), firstName: 'Vera' }, language: 'ru', timeZone: 'UTC' },
      updateId: '900000001',
      chatId: String(vera.id),
      message: {
        kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
        messageId: '77',
        successfulPayment: { currency: 'XTR', totalAmount: '250', invoicePayload: paymentId, telegramPaymentChargeId: renewal, isRecurring: true },
      },
    };
    const again = await clientAs('gateway').call(RPC.payments.handleBotUpdate, duplicate);
    expect(again.actions ?? []).toEqual([]);
    expect(typesOf(await paymentEvents(paymentId))).toEqual(['PaymentCreated', 'PaymentCompleted', 'PaymentRenewed']);
    expect(endOf(await subscriptionEvents(vera))).toBe(endOf(afterRenewal));

    // The member cancels in Telegram's own UI: the `subscription` update turns renewal off at once.
    chat.cancelSubscription(first!.chargeId);
    await waitFor('renewal to be cancelled', async () => typesOf(await subscriptionEvents(vera)).includes('RenewalCancelled'), { timeoutMs: 10_000 });
    expect(typesOf(await paymentEvents(paymentId))).toEqual(['PaymentCreated', 'PaymentCompleted', 'PaymentRenewed', 'StarSubscriptionStateNoted']);
    expect(await ask(chat, 'subscription', isStatus)).toContain('Продление: выключено');

    // And re-enables it there: renewal back on.
    chat.resumeSubscription(first!.chargeId);
    await waitFor('renewal to be resumed', async () => typesOf(await subscriptionEvents(vera)).includes('RenewalResumed'), { timeoutMs: 10_000 });
    expect(await ask(chat, 'subscription', isStatus)).toContain('Продление: включено');
  });

  it('turns renewal off and tells the member when Telegram cannot charge a renewal (the `failed` update); what is paid runs to its end', async () => {
    // 260 Stars: the first month (250) is paid, the renewal is not.
    const oleg = sandbox.createUser({ firstName: 'Oleg', languageCode: 'en', starBalance: 260 });
    const chat = sandbox.chat(oleg, shop.sandbox);
    await ask(chat, 'start');
    const menu = chat.waitForMessage((message) => message.text === 'Choose a plan:', { timeoutMs: 10_000 });
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Month · ⭐ 250', { timeoutMs: 10_000 });
    const card = await chat.waitForEdit((message) => message.text?.startsWith('Month') === true, { timeoutMs: 10_000 });
    const offer = chat.waitForMessage((message) => urlOf(message) !== undefined, { timeoutMs: 10_000 });
    await chat.pressCallbackButton(card, 'Buy', { timeoutMs: 10_000 });
    const thanks = chat.waitForMessage((message) => text(message).startsWith('Thank you!'), { timeoutMs: 10_000 });
    expect((await chat.payInvoice(urlOf(await offer)!)).status).toBe('paid');
    await thanks;
    const [paid] = sandbox.payments(shop.sandbox).filter((payment) => payment.userId === oleg.id);
    const started = await subscriptionEvents(oleg);

    const told = chat.waitForMessage((message) => text(message).startsWith('Telegram could not charge the renewal'), { timeoutMs: 10_000 });
    const renewals = (await sandbox.advanceTime({ days: 30 })).filter((renewal) => renewal.userId === oleg.id);
    expect(renewals).toEqual([expect.objectContaining({ status: 'insufficient_stars' })]);
    await told;
    await waitFor('renewal to be cancelled', async () => typesOf(await subscriptionEvents(oleg)).includes('RenewalCancelled'), { timeoutMs: 10_000 });
    const events = await paymentEvents(paid!.payload);
    expect(typesOf(events)).toEqual(['PaymentCreated', 'PaymentCompleted', 'StarSubscriptionStateNoted']);
    expect(events[2]!.data).toMatchObject({ state: 'failed' });
    // Nothing was taken away: the paid month's end stands.
    expect(endOf(await subscriptionEvents(oleg))).toBe(endOf(started));
  });

  it("cancels and re-enables a member's Stars subscription in Telegram through rpc.gateway.edit-star-subscription, with Telegram's refusals typed", async () => {
    const nina = sandbox.createUser({ firstName: 'Nina', languageCode: 'en' });
    const chat = sandbox.chat(nina, shop.sandbox);
    await ask(chat, 'start');
    const menu = chat.waitForMessage((message) => message.text === 'Choose a plan:', { timeoutMs: 10_000 });
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Month · ⭐ 250', { timeoutMs: 10_000 });
    const card = await chat.waitForEdit((message) => message.text?.startsWith('Month') === true, { timeoutMs: 10_000 });
    const offer = chat.waitForMessage((message) => urlOf(message) !== undefined, { timeoutMs: 10_000 });
    await chat.pressCallbackButton(card, 'Buy', { timeoutMs: 10_000 });
    expect((await chat.payInvoice(urlOf(await offer)!)).status).toBe('paid');
    const [paid] = sandbox.payments(shop.sandbox).filter((payment) => payment.userId === nina.id);
    const inTelegram = () => sandbox.subscriptions(shop.sandbox).find((subscription) => subscription.userId === nina.id)!;

    // Asked as payments, its only caller.
    const edit = (request: { botId?: string; telegramPaymentChargeId?: string; isCanceled: boolean }) =>
      clientAs('payments').call(RPC.gateway.editStarSubscription, {
        botId: shop.botId,
        telegramUserId: String(nina.id),
        telegramPaymentChargeId: paid!.chargeId,
        ...request,
      });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'no error',
        (error: { code?: string }) => error.code,
      );
    await edit({ isCanceled: true });
    expect(inTelegram().canceledBy).toBe('bot');
    await edit({ isCanceled: false });
    expect(inTelegram().canceledBy).toBeUndefined();

    chat.cancelSubscription(paid!.chargeId);
    expect(await refusal(edit({ isCanceled: false }))).toBe('GATEWAY.SUBSCRIPTION_CANCELED_BY_USER');
    expect(inTelegram().canceledBy).toBe('user');
    expect(await refusal(edit({ telegramPaymentChargeId: 'stxUNKNOWN', isCanceled: true }))).toBe('GATEWAY.CHARGE_NOT_FOUND');
    expect(await refusal(edit({ botId: '00000000-0000-4000-8000-000000000000', isCanceled: true }))).toBe('GATEWAY.BOT_NOT_HOSTED');
    expect(await refusal(edit({ telegramPaymentChargeId: '', isCanceled: true }))).toBe('VALIDATION.FAILED');
  });

  it('switches renewal in /subscription through Telegram for a Stars subscription; a subscription the member cancelled in Telegram is not re-enabled by the bot', async () => {
    const pavel = sandbox.createUser({ firstName: 'Pavel', languageCode: 'en' });
    const chat = sandbox.chat(pavel, shop.sandbox);
    await ask(chat, 'start');
    const menu = chat.waitForMessage((message) => message.text === 'Choose a plan:', { timeoutMs: 10_000 });
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Month · ⭐ 250', { timeoutMs: 10_000 });
    const card = await chat.waitForEdit((message) => message.text?.startsWith('Month') === true, { timeoutMs: 10_000 });
    const offer = chat.waitForMessage((message) => urlOf(message) !== undefined, { timeoutMs: 10_000 });
    await chat.pressCallbackButton(card, 'Buy', { timeoutMs: 10_000 });
    const thanks = chat.waitForMessage((message) => text(message).startsWith('Thank you!'), { timeoutMs: 10_000 });
    expect((await chat.payInvoice(urlOf(await offer)!)).status).toBe('paid');
    await thanks;
    const [paid] = sandbox.payments(shop.sandbox).filter((payment) => payment.userId === pavel.id);
    const inTelegram = () => sandbox.subscriptions(shop.sandbox).find((subscription) => subscription.userId === pavel.id)!;
    const status = chat.waitForMessage((message) => text(message).includes('Renewal: on'), { timeoutMs: 10_000 });
    chat.sendCommand('subscription');
    const screen = await status;

    // Off: Telegram stops charging (cancelled by the bot), then subscriptions records it.
    expect((await chat.pressCallbackButton(screen, 'Turn renewal off', { timeoutMs: 10_000 })).showAlert).toBe(false);
    expect(inTelegram().canceledBy).toBe('bot');
    expect(typesOf(await subscriptionEvents(pavel))).toEqual(['SubscriptionStarted', 'RenewalCancelled']);
    expect(typesOf(await paymentEvents(paid!.payload))).toEqual(['PaymentCreated', 'PaymentCompleted', 'StarSubscriptionStateNoted']);
    const off = await chat.waitForEdit((message) => text(message).includes('Renewal: off'), { timeoutMs: 10_000 });

    // On again: Telegram charges again.
    expect((await chat.pressCallbackButton(off, 'Turn renewal on', { timeoutMs: 10_000 })).showAlert).toBe(false);
    expect(inTelegram().canceledBy).toBeUndefined();
    expect(typesOf(await subscriptionEvents(pavel))).toEqual(['SubscriptionStarted', 'RenewalCancelled', 'RenewalResumed']);
    await chat.waitForEdit((message) => text(message).includes('Renewal: on'), { timeoutMs: 10_000 });

    // The member cancels in Telegram (renewal off here at once); the bot's "on" cannot undo the member's cancel.
    chat.cancelSubscription(paid!.chargeId);
    await waitFor('renewal to be cancelled', async () => typesOf(await subscriptionEvents(pavel)).filter((type) => type === 'RenewalCancelled').length === 2, {
      timeoutMs: 10_000,
    });
    const afterCancel = chat.waitForMessage((message) => text(message).includes('Renewal: off'), { timeoutMs: 10_000 });
    chat.sendCommand('subscription');
    const answer = await chat.pressCallbackButton(await afterCancel, 'Turn renewal on', { timeoutMs: 10_000 });
    expect(answer).toMatchObject({ showAlert: true, text: expect.stringContaining('You cancelled this Stars subscription in Telegram') });
    expect(inTelegram().canceledBy).toBe('user');
    expect(typesOf(await subscriptionEvents(pavel))).toEqual(['SubscriptionStarted', 'RenewalCancelled', 'RenewalResumed', 'RenewalCancelled']);
  });
});
