import { EmbeddedEventBus, InProcessBroker, JetStreamEventBus, type EventBus, type RpcClient } from '@botplatform/bus';
import { RPC, type BotUpdateJson, type PlanDefinitionJson } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import { createRpcClient, type RpcTransport } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxChat, type SandboxGroup, type SandboxUser } from '@botplatform/telegram-sandbox';
import { uniqueName } from '@botplatform/testing';
import type { Message } from 'grammy/types';
import { platformNatsAccess } from './platform-nats-access.js';
import type { PerService, RunningPlatform } from './platform.js';
import { startSandboxedPlatform, type HostedBot, type SandboxedPlatform } from './testing/sandboxed-platform.js';
import { startPlatformNats } from './testing/platform-nats.js';

interface Wiring {
  bus: PerService<EventBus>;
  rpc: PerService<RpcTransport>;
  /** The transport of one broker user (in the embedded mode, the one in-process broker). */
  as(user: string): RpcTransport;
  close(): Promise<void>;
}

const modes: Record<string, () => Promise<Wiring>> = {
  'embedded: in-process bus and request/reply': async () => {
    const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const rpc: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    return { bus, rpc, as: () => rpc, close: () => bus.close() };
  },
  // The platform's broker users and permissions, as deployed: payments may ask subscriptions and the
  // gateway only what platform-nats-access.ts lets it, and the test asks as the gateway or the operator.
  'distributed: JetStream bus and NATS request/reply, each service its own broker user': async () => {
    const namespace = uniqueName('cards');
    const nats = await startPlatformNats(namespace);
    const transportOf = (user: string): RpcTransport => ({ kind: 'nats', servers: nats.url, credentials: nats.credentialsOf(user) });
    const buses = new Map<string, EventBus>();
    for (const { user, service } of platformNatsAccess) {
      if (!service) continue;
      buses.set(user, await JetStreamEventBus.connect(nats.url, user, { namespace, credentials: nats.credentialsOf(user), relay: { pollIntervalMs: 20 } }));
    }
    return {
      bus: (service) => buses.get(service)!,
      rpc: transportOf,
      as: transportOf,
      close: async () => {
        for (const bus of buses.values()) await bus.close();
        await nats.dispose();
      },
    };
  },
};

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  periodDays: 31,
  prices: [
    { currency: 'EUR', amount: '499' },
    { currency: 'XTR', amount: '250' },
  ],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const text = (message: Message) => message.text ?? message.caption ?? '';

/**
 * Card-to-card with a receipt (seed 004) through the whole platform, the sandbox as Telegram: /plans
 * offers "Card transfer" when the bot has an active card, payments shows the card, the amount and a
 * tracking number, the member sends a photo receipt, it reaches the bot's admin group (admin_chat_id)
 * with Approve / Reject, and an admin's approval completes the payment and grants the plan once.
 */
describe.each(Object.keys(modes))('Card transfers with a receipt (%s)', (mode) => {
  let wiring: Wiring;
  let platform: RunningPlatform;
  let sandbox: TelegramSandbox;
  const clients = new Map<string, RpcClient>();
  let harness: SandboxedPlatform;
  let shop: HostedBot;
  let owner: SandboxUser;
  let stranger: SandboxUser;
  let admins: SandboxGroup;
  let adminChat: SandboxChat;

  const clientAs = (user: string) => {
    if (!clients.has(user)) clients.set(user, createRpcClient(wiring.as(user)));
    return clients.get(user)!;
  };
  const adminApi = (url: string, path: string, method: string, body: unknown) =>
    fetch(`${url}/admin/bots/${shop.botId}${path}`, {
      method,
      headers: { authorization: `Bearer ${shop.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const subscriptionEvents = async (user: SandboxUser) =>
    (await platform.services.get('subscriptions')!.dependencies.store.readStream(`subscription-${shop.botId}-${user.id}`)).events;
  const streamTypes = async (stream: string) =>
    (await platform.services.get('payments')!.dependencies.store.readStream(stream)).events.map((e: RecordedEvent) => e.type);
  const isStatus = (answer: string) => /^(Тариф|Пробный период:|У вас нет подписки|Ваша подписка закончилась \S)/.test(answer);
  const ask = async (chat: SandboxChat, command: string, isAnswer: (text: string) => boolean = () => true) => {
    const answer = chat.waitForMessage((message) => isAnswer(text(message)), { timeoutMs: 10_000 });
    chat.sendCommand(command);
    return text(await answer);
  };

  /** /plans → the plan's card → "Перевод на карту": the screen with the card, the amount and the tracking number. */
  const chooseCardTransfer = async (chat: SandboxChat) => {
    const menu = chat.waitForMessage((message) => message.text === 'Выберите тариф:', { timeoutMs: 10_000 });
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await menu, 'Месяц · ⭐ 250 / 4.99 EUR', { timeoutMs: 10_000 });
    const card = await chat.waitForEdit((message) => message.text?.startsWith('Месяц') === true, { timeoutMs: 10_000 });
    const answer = await chat.pressCallbackButton(card, 'Перевод на карту', { timeoutMs: 10_000 });
    expect(answer.showAlert ?? false).toBe(false);
    const details = text(await chat.waitForEdit((message) => message.text?.startsWith('Перевод на карту') === true, { timeoutMs: 10_000 }));
    const tracking = /C-\d{4}/.exec(details)?.[0] ?? '';
    const paymentId = (
      await platform.services
        .get('payments')!
        .dependencies.orm.em.getConnection()
        .execute<{ payment_id: string }[]>(`SELECT payment_id FROM payments.card_transfers WHERE bot_id = ? AND tracking_number = ?`, [
          shop.botId,
          Number(tracking.slice(2)),
        ])
    )[0]!.payment_id;
    return { details, tracking, paymentId };
  };
  /** The review message of a tracking number in the admin group. */
  const reviewMessage = (tracking: string) => adminChat.waitForMessage((message) => text(message).includes(tracking), { timeoutMs: 10_000 });
  /** An update as the gateway routes it to payments: a press of `data` in the admin group by `user` with `role`. */
  const pressAs = (user: SandboxUser, role: 'ROLE_OWNER' | 'ROLE_USER', data: string, updateId: string): BotUpdateJson => ({
    context: {
      botId: shop.botId,
      botName: 'Card shop',
      member: { telegramUserId: String(user.id), firstName: user.firstName, role },
      language: 'en',
      timeZone: 'UTC',
    },
    updateId,
    chatId: String(admins.id),
    callback: { callbackQueryId: `cb${updateId}`, data, messageId: '1' },
  });

  beforeAll(async () => {
    wiring = await modes[mode]();
    harness = await startSandboxedPlatform({ prefix: 'bp_cards', transports: wiring });
    ({ sandbox, platform } = harness);
    owner = sandbox.createUser({ firstName: 'Olga', username: 'olga', languageCode: 'en' });
    stranger = sandbox.createUser({ firstName: 'Sam', languageCode: 'en' });
    shop = await harness.registerBot({ username: 'card_shop_bot', name: 'Card shop', owner });

    // The bot's admins review receipts in a group where the bot is an administrator (it reads the reasons there).
    admins = sandbox.createGroup({ title: 'Card shop admins', members: [owner, stranger], bots: [{ bot: shop.sandbox, status: 'administrator' }] });
    adminChat = sandbox.chat(admins, shop.sandbox);
    const users = platform.services.get('users')!.url;
    const setting = await adminApi(users, '/settings', 'PUT', {
      key: 'admin_chat_id',
      type: 'int',
      value: admins.id,
      description: 'Where receipts are reviewed',
    });
    expect(setting.status).toBe(200);

    const plan = await adminApi(platform.services.get('subscriptions')!.url, '/plans', 'POST', MONTH);
    expect(plan.status).toBe(201);
    // A card in another currency first, then the one the plan's EUR price is paid to.
    await clientAs('operator').call(RPC.payments.addPaymentCard, {
      botId: shop.botId,
      number: '4400000011112222',
      holder: 'Ivan',
      bank: 'Sber',
      currency: 'RUB',
    });
    await clientAs('operator').call(RPC.payments.addPaymentCard, {
      botId: shop.botId,
      number: '2200 1234 5678 9012',
      holder: 'Anna Card',
      bank: 'EuroBank',
      currency: 'EUR',
    });
  }, 90_000);

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await harness?.close();
  });

  it('sells a plan by card transfer: details and tracking number → photo receipt → the admin group approves → /subscription shows it; a second receipt, a stranger and a second approval change nothing', async () => {
    const vera = sandbox.createUser({ firstName: 'Vera', languageCode: 'ru' });
    const chat = sandbox.chat(vera, shop.sandbox);
    await ask(chat, 'start');

    const { details, tracking, paymentId } = await chooseCardTransfer(chat);
    expect(details).toContain('Месяц: 4.99 EUR');
    expect(details).toContain('2200 1234 5678 9012\nAnna Card · EuroBank');
    expect(tracking).toMatch(/^C-\d{4}$/);
    expect(await streamTypes(`payment-${paymentId}`)).toEqual(['PaymentCreated']);

    const taken = chat.waitForMessage((message) => text(message).startsWith('Спасибо! Чек'), { timeoutMs: 10_000 });
    const review = reviewMessage(tracking);
    const sent = chat.sendPhoto();
    expect(text(await taken)).toBe(`Спасибо! Чек по переводу ${tracking} передан администраторам бота; мы сообщим, когда они его проверят.`);
    const forwarded = await review;
    // The same file (by its file id) reached the admin group, with the details and the buttons.
    expect(forwarded.photo?.at(-1)?.file_unique_id).toBe(sent.photo?.at(-1)?.file_unique_id);
    expect(text(forwarded)).toContain('Месяц: 4.99 EUR');
    expect(text(forwarded)).toContain(`Vera (id ${vera.id})`);

    // A second receipt changes nothing and says so.
    const already = chat.waitForMessage((message) => text(message).startsWith('Чек по переводу'), { timeoutMs: 10_000 });
    chat.sendPhoto();
    expect(text(await already)).toBe(`Чек по переводу ${tracking} уже получен и проверяется.`);
    expect(await streamTypes(`card-transfer-${paymentId}`)).toEqual(['CardTransferOpened', 'CardReceiptSubmitted']);

    // A group member who is no admin of the bot presses Approve: refused, nothing written.
    const refused = await adminChat.pressCallbackButton(forwarded, '✅ Подтвердить', { from: stranger, timeoutMs: 10_000 });
    expect(refused).toMatchObject({ text: 'Only the bot’s admins review receipts.', showAlert: true });
    expect(await streamTypes(`payment-${paymentId}`)).toEqual(['PaymentCreated']);

    // The owner presses Approve three times at once (a double tap, a lagging client): one completion, one grant, one message.
    const approved = chat.waitForMessage((message) => text(message).startsWith(`Перевод ${tracking} подтверждён`), { timeoutMs: 10_000 });
    const presses = await Promise.all([1, 2, 3].map(() => adminChat.pressCallbackButton(forwarded, '✅ Подтвердить', { from: owner, timeoutMs: 10_000 })));
    expect(presses.map((answer) => answer.text).sort()).toEqual([
      `${tracking} approved by @olga.`,
      `${tracking} was approved already.`,
      `${tracking} was approved already.`,
    ]);
    expect(text(await approved)).toMatch(new RegExp(`^Перевод ${tracking} подтверждён\\. Месяц ваш до \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\(UTC\\)\\.$`));
    expect(await streamTypes(`payment-${paymentId}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await streamTypes(`card-transfer-${paymentId}`)).toEqual(['CardTransferOpened', 'CardReceiptSubmitted', 'CardTransferApproved']);
    const [{ provider }] = await platform.services
      .get('payments')!
      .dependencies.orm.em.getConnection()
      .execute<{ provider: string }[]>('SELECT provider FROM payments.payments WHERE payment_id = ?', [paymentId]);
    expect(provider).toBe('card');
    expect((await subscriptionEvents(vera)).map((event) => event.type)).toEqual(['SubscriptionStarted']);
    expect(await ask(chat, 'subscription', isStatus)).toContain('Месяц');

    // Approved once more later: refused as done, still one grant, and the member hears nothing more.
    const again = await adminChat.pressCallbackButton(forwarded, '✅ Подтвердить', { from: owner, timeoutMs: 10_000 });
    expect(again).toMatchObject({ text: `${tracking} was approved already.`, showAlert: true });
    expect((await subscriptionEvents(vera)).map((event) => event.type)).toEqual(['SubscriptionStarted']);
    expect(chat.botMessages().filter((message) => text(message).startsWith(`Перевод ${tracking} подтверждён`))).toHaveLength(1);
  });

  it('rejects a text receipt with the reason the admin writes: the member is told why, nothing is granted, approve after reject is refused', async () => {
    const lev = sandbox.createUser({ firstName: 'Lev', languageCode: 'ru' });
    const chat = sandbox.chat(lev, shop.sandbox);
    await ask(chat, 'start');
    const { tracking, paymentId } = await chooseCardTransfer(chat);

    expect(await ask(chat, 'receipt')).toBe(`Пришлите чек перевода ${tracking}: фото, документ или текст.`);
    const review = reviewMessage(tracking);
    const taken = chat.waitForMessage((message) => text(message).startsWith('Спасибо! Чек'), { timeoutMs: 10_000 });
    chat.sendText('Перевёл 4.99 EUR с карты *1234');
    await taken;
    const forwarded = await review;
    expect(text(forwarded)).toContain('Перевёл 4.99 EUR с карты *1234');

    const askReason = adminChat.waitForMessage((message) => text(message).startsWith(`Reply with the reason for rejecting ${tracking}`), { timeoutMs: 10_000 });
    await adminChat.pressCallbackButton(forwarded, '❌ Отклонить', { from: owner, timeoutMs: 10_000 });
    await askReason;
    const rejected = chat.waitForMessage((message) => text(message).startsWith(`Перевод ${tracking} не подтверждён`), { timeoutMs: 10_000 });
    const noted = adminChat.waitForMessage((message) => text(message).startsWith(`${tracking} rejected by @olga`), { timeoutMs: 10_000 });
    adminChat.sendText('деньги не пришли', { from: owner });
    expect(text(await rejected)).toBe(
      `Перевод ${tracking} не подтверждён: деньги не пришли\nНичего не выдано. Чтобы попробовать снова, выберите тариф в /plans.`,
    );
    expect(text(await noted)).toBe(`${tracking} rejected by @olga: деньги не пришли`);
    expect(await streamTypes(`payment-${paymentId}`)).toEqual(['PaymentCreated', 'PaymentFailed']);
    expect(await subscriptionEvents(lev)).toEqual([]);

    const late = await adminChat.pressCallbackButton(forwarded, '✅ Подтвердить', { from: owner, timeoutMs: 10_000 });
    expect(late).toMatchObject({ text: `${tracking} was rejected already.`, showAlert: true });
    expect(await streamTypes(`payment-${paymentId}`)).toEqual(['PaymentCreated', 'PaymentFailed']);
    expect(await subscriptionEvents(lev)).toEqual([]);
  });

  it('refuses a forged Approve from a member who is no admin, whatever the button data says', async () => {
    const mia = sandbox.createUser({ firstName: 'Mia', languageCode: 'ru' });
    const chat = sandbox.chat(mia, shop.sandbox);
    await ask(chat, 'start');
    const { tracking, paymentId } = await chooseCardTransfer(chat);
    const review = reviewMessage(tracking);
    chat.sendPhoto();
    await review;

    const forged = await clientAs('gateway').call(RPC.payments.handleBotUpdate, {
      ...pressAs(mia, 'ROLE_USER', `card:ok:${paymentId}`, '920000001'),
      chatId: String(mia.id),
    });
    expect(forged.actions).toEqual([{ answerCallback: { text: 'Only the bot’s admins review receipts.', showAlert: true } }]);
    expect(await streamTypes(`payment-${paymentId}`)).toEqual(['PaymentCreated']);
    expect(await streamTypes(`card-transfer-${paymentId}`)).toEqual(['CardTransferOpened', 'CardReceiptSubmitted']);
    expect(await subscriptionEvents(mia)).toEqual([]);
  });

  it('completes and grants once when five approvals race in at once (as the gateway routes them)', async () => {
    const ada = sandbox.createUser({ firstName: 'Ada', languageCode: 'ru' });
    const chat = sandbox.chat(ada, shop.sandbox);
    await ask(chat, 'start');
    const { tracking, paymentId } = await chooseCardTransfer(chat);
    const review = reviewMessage(tracking);
    chat.sendPhoto();
    await review;

    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => clientAs('gateway').call(RPC.payments.handleBotUpdate, pressAs(owner, 'ROLE_OWNER', `card:ok:${paymentId}`, `93000000${n}`))),
    );
    const toMember = answers.flatMap((answer) => answer.actions ?? []).filter((action) => action.reply?.chatId === String(ada.id));
    expect(toMember).toHaveLength(1);
    expect(toMember[0]!.reply?.text).toMatch(new RegExp(`^Перевод ${tracking} подтверждён`));
    expect(await streamTypes(`payment-${paymentId}`)).toEqual(['PaymentCreated', 'PaymentCompleted']);
    expect(await streamTypes(`card-transfer-${paymentId}`)).toEqual(['CardTransferOpened', 'CardReceiptSubmitted', 'CardTransferApproved']);
    expect((await subscriptionEvents(ada)).map((event) => event.type)).toEqual(['SubscriptionStarted']);
  });
});
