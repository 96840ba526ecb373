import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { UserRegisteredSchema } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService, type RpcTransport } from '@botplatform/service-kit';
import type { SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { InlineKeyboardButton, Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { createNotificationsService } from '../notifications.service.js';
import { SourceServices } from '../testing/source-services.harness.js';
import { BroadcastUseCases } from './broadcasts.use-case.js';

const buttonsOf = (message: Message): string[] => (message.reply_markup?.inline_keyboard ?? []).flat().map((button: InlineKeyboardButton) => button.text);

/**
 * /broadcast as an admin uses it: the service started as the platform starts it, the feature test kit
 * playing the gateway's routing against the Telegram sandbox, members registered through the users
 * service's events. The messages themselves leave through the outbound path (its requests are checked
 * here; their delivery is `services/platform/src/notifications/broadcast.e2e.spec.ts`).
 */
describe('/broadcast in a bot', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let sources: SourceServices;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let bot: KitBot;

  const register = async (user: SandboxUser, to: KitBot = bot) => {
    await sources.publish('users', UserRegisteredSchema, to.botId, {
      botId: to.botId,
      userId: randomUUID(),
      telegramUserId: String(user.id),
      firstName: user.firstName,
      languageCode: user.languageCode ?? 'en',
      isPremium: false,
      registeredAt: new Date().toISOString(),
    });
    await waitFor('the recipient', async () =>
      (
        await runSql(service.dependencies.orm.em.fork(), 'SELECT 1 FROM notifications.notification_recipients WHERE bot_id = $1 AND telegram_user_id = $2', [
          to.botId,
          user.id,
        ])
      ).length
        ? true
        : undefined,
    );
  };
  const requested = async (text: string) =>
    (
      await runSql<{ n: number }>(
        service.dependencies.orm.em.fork(),
        "SELECT count(*)::int AS n FROM notifications.event_store_events WHERE type = 'MessageSendRequested' AND data->>'text' = $1",
        [text],
      )
    )[0].n;

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_broadcast');
    bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    // One message a second: slow enough for a pause to land before the last member's message. No gateway
    // settles the requests here, so the window of unsettled ones is made wide enough not to matter.
    service = await startService(createNotificationsService({ broadcast: { ratePerSecond: 1, windowSeconds: 60 } }), {
      databaseUrl: database.url,
      bus,
      rpc: transport,
      httpPort: 0,
      logger: false,
    });
    sources = await SourceServices.start(database.url, bus, ['users']);
    rpc = createRpcClient(transport);
    const router = service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: rpc.call.bind(rpc) }, declarations: () => [router.declaration()] });
    bot = await kit.bot({ botId: randomUUID(), name: 'News' });
  });

  afterAll(async () => {
    await kit?.close();
    await rpc?.close();
    await sources?.close();
    await bus?.close();
    await service?.close();
    await database?.drop();
  });

  it('refuses a member who is not an admin', async () => {
    const chat = bot.chat(kit.user('Max', 'en'));
    chat.sendCommand('broadcast');
    await chat.waitForMessage((m) => m.text === "Broadcasts are for the bot's admins.");
  });

  it('composes, previews with the count, sends to the audience once, however often it is confirmed', async () => {
    const admin = kit.user('Ada', 'en');
    bot.setRole(admin, 'ROLE_ADMIN');
    const members = [kit.user('Ann', 'en'), kit.user('Bob', 'en'), kit.user('Вера', 'ru')];
    for (const member of [admin, ...members]) await register(member);
    const chat = bot.chat(admin);

    chat.sendCommand('broadcast');
    await chat.waitForMessage((m) => m.text?.startsWith('📣 Send the text') ?? false);
    chat.sendText('<b>Big news</b> today');
    const shown = await chat.waitForMessage((m) => m.text === 'Big news today');
    expect(shown.entities).toEqual([expect.objectContaining({ type: 'bold', offset: 0, length: 8 })]);
    const audiences = await chat.waitForMessage((m) => m.text === 'Who should get it?');
    expect(buttonsOf(audiences)).toEqual(['Everyone', 'Premium', 'Free', 'On trial', 'Inactive 30 days', 'Joined this week', 'English', 'Russian', '✖ Cancel']);

    await chat.pressCallbackButton(audiences, 'English');
    const preview = await chat.waitForEdit((m) => m.text?.startsWith('Audience: English') ?? false);
    // Ada, Ann and Bob speak English.
    expect(preview.text).toBe('Audience: English\nIt reaches 3 members (0 skipped: they blocked the bot), in about 1 min.');
    expect(buttonsOf(preview)).toEqual(['✅ Send', '✖ Cancel']);

    await chat.pressCallbackButton(preview, '✅ Send');
    const progress = await chat.waitForEdit((m) => m.text?.startsWith('📣 Broadcast:') ?? false);
    expect(progress.text).toMatch(/^📣 Broadcast: (sending|finished)/);
    await waitFor('the three requests', async () => ((await requested('<b>Big news</b> today')) === 3 ? true : undefined));
    // Confirmed again (a second press that raced the first, an old message): refused, still one request per member.
    const [{ broadcast_id: id }] = await runSql<{ broadcast_id: string }>(
      service.dependencies.orm.em.fork(),
      "SELECT broadcast_id FROM notifications.notification_broadcasts WHERE text = '<b>Big news</b> today'",
    );
    const again = await Promise.allSettled(
      [1, 2, 3].map(() =>
        service.app.get(BroadcastUseCases, { strict: false }).confirm({ botId: bot.botId, telegramUserId: admin.id, gatewayRole: 'admin' }, id),
      ),
    );
    expect(again.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'confirmed'))).toEqual([
      'NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED',
      'NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED',
      'NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await requested('<b>Big news</b> today')).toBe(3);
    const [{ n }] = await runSql<{ n: number }>(
      service.dependencies.orm.em.fork(),
      'SELECT count(*)::int AS n FROM notifications.notification_broadcast_recipients WHERE broadcast_id = $1',
      [id],
    );
    expect(n).toBe(3);
  });

  it('pauses, resumes and cancels from the progress message, in Russian', async () => {
    const admin = kit.user('Ира', 'ru');
    bot.setRole(admin, 'ROLE_OWNER');
    await register(admin);
    const chat = bot.chat(admin);
    chat.sendCommand('broadcast');
    await chat.waitForMessage((m) => m.text?.startsWith('📣 Пришлите текст') ?? false);
    chat.sendText('Привет всем');
    const audiences = await chat.waitForMessage((m) => m.text === 'Кому отправить?');
    await chat.pressCallbackButton(audiences, 'Всем');
    const preview = await chat.waitForEdit((m) => m.text?.startsWith('Аудитория: Всем') ?? false);
    await chat.pressCallbackButton(preview, '✅ Отправить');
    const sending = await chat.waitForEdit((m) => m.text?.startsWith('📣 Рассылка: отправляется') ?? false);
    // Ada, Ann, Bob, Вера and Ира are registered; at one a second, the pause lands before the fifth.
    await chat.pressCallbackButton(sending, '⏸ Пауза');
    const paused = await chat.waitForEdit((m) => m.text?.startsWith('📣 Рассылка: на паузе') ?? false);
    expect(buttonsOf(paused)).toEqual(['🔄 Обновить', '▶ Продолжить', '✖ Отменить']);
    const atPause = await requested('Привет всем');
    expect(atPause).toBeLessThan(5);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await requested('Привет всем')).toBe(atPause);

    await chat.pressCallbackButton(paused, '▶ Продолжить');
    const resumed = await chat.waitForEdit((m) => (m.text?.startsWith('📣 Рассылка: отправляется') ?? false) && m.edit_date !== paused.edit_date);
    await waitFor('all five requests', async () => ((await requested('Привет всем')) === 5 ? true : undefined), { timeoutMs: 15_000 });

    await chat.pressCallbackButton(resumed, '✖ Отменить');
    const cancelled = await chat.waitForEdit((m) => m.text?.startsWith('📣 Рассылка: отменена') ?? false);
    expect(cancelled.text).toContain('Отправлено: 0');
  });

  it('composes a photo with its caption and link buttons; a paid broadcast shows its Stars cost before the confirm (en, ru)', async () => {
    const shop = await kit.bot({ botId: randomUUID(), name: 'Shop' });
    await runSql(service.dependencies.orm.em.fork(), 'INSERT INTO notifications.notification_bots (bot_id, paid_broadcasts) VALUES ($1, true)', [shop.botId]);
    const owner = kit.user('Olga', 'en');
    const помощник = kit.user('Пётр', 'ru');
    shop.setRole(owner, 'ROLE_OWNER');
    shop.setRole(помощник, 'ROLE_ADMIN');
    for (const member of [owner, помощник, kit.user('Dan', 'en'), kit.user('Eli', 'en')]) await register(member, shop);
    const chat = shop.chat(owner);

    chat.sendCommand('broadcast');
    await chat.waitForMessage((m) => m.text?.startsWith('📣 Send the text') ?? false);
    const sent = chat.sendPhoto({ caption: '<i>Sale</i> all week\nShop | https://example.org/shop\nHelp | https://example.org/help' });
    const shown = await chat.waitForMessage((m) => m.caption === 'Sale all week');
    expect(shown.photo?.length).toBeGreaterThan(0);
    expect(shown.caption_entities).toEqual([expect.objectContaining({ type: 'italic', offset: 0, length: 4 })]);
    expect(shown.reply_markup?.inline_keyboard).toEqual([
      [{ text: 'Shop', url: 'https://example.org/shop' }],
      [{ text: 'Help', url: 'https://example.org/help' }],
    ]);
    const audiences = await chat.waitForMessage((m) => m.text === 'Who should get it?');
    await chat.pressCallbackButton(audiences, 'Everyone');
    const preview = await chat.waitForEdit((m) => m.text?.startsWith('Audience: Everyone') ?? false);
    expect(preview.text).toBe(
      'Audience: Everyone\nIt reaches 4 members (0 skipped: they blocked the bot), in about 1 min.\nPaid broadcast: 0.4 ⭐ (0.1 Star per message).',
    );
    await chat.pressCallbackButton(preview, '✅ Send');
    await chat.waitForEdit((m) => m.text?.startsWith('📣 Broadcast:') ?? false);

    // What the outbound path was asked for: the photo, its caption and buttons, paid; and the message the progress is kept in.
    const [broadcast] = await runSql<{ broadcast_id: string; photo: string; progress_message_id: string; progress_chat_id: string }>(
      service.dependencies.orm.em.fork(),
      'SELECT broadcast_id, photo, progress_message_id::text, progress_chat_id::text FROM notifications.notification_broadcasts WHERE bot_id = $1',
      [shop.botId],
    );
    expect(broadcast.photo).toBe(sent.photo!.at(-1)!.file_id);
    expect(Number(broadcast.progress_message_id)).toBe(preview.message_id);
    expect(Number(broadcast.progress_chat_id)).toBe(owner.id);
    await waitFor('the four requests', async () => {
      const rows = await runSql<{ data: { photo?: string; text: string; allowPaidBroadcast?: boolean; buttons: unknown } }>(
        service.dependencies.orm.em.fork(),
        "SELECT data FROM notifications.event_store_events WHERE type = 'MessageSendRequested' AND data->>'purpose' = 'notifications:broadcast' AND data->>'botId' = $1",
        [shop.botId],
      );
      return rows.length === 4 ? rows : undefined;
    }).then((rows) => {
      for (const { data } of rows) {
        expect(data).toMatchObject({ photo: broadcast.photo, text: '<i>Sale</i> all week', parseMode: 'HTML', allowPaidBroadcast: true });
        expect(data.buttons).toEqual([[{ text: 'Shop', url: 'https://example.org/shop' }], [{ text: 'Help', url: 'https://example.org/help' }]]);
      }
    });

    // In Russian the cost reads with a decimal comma.
    const ru = shop.chat(помощник);
    ru.sendCommand('broadcast');
    await ru.waitForMessage((m) => m.text?.startsWith('📣 Пришлите текст') ?? false);
    ru.sendText('Скидки');
    const кому = await ru.waitForMessage((m) => m.text === 'Кому отправить?');
    await ru.pressCallbackButton(кому, 'Всем');
    const превью = await ru.waitForEdit((m) => m.text?.startsWith('Аудитория: Всем') ?? false);
    expect(превью.text).toContain('Платная рассылка: 0,4 ⭐ (0,1 звезды за сообщение).');
  });

  it('discards a draft with Cancel', async () => {
    const admin = kit.user('Eve', 'en');
    bot.setRole(admin, 'ROLE_ADMIN');
    const chat = bot.chat(admin);
    chat.sendCommand('broadcast');
    await chat.waitForMessage((m) => m.text?.startsWith('📣 Send the text') ?? false);
    chat.sendText('never sent');
    const audiences = await chat.waitForMessage((m) => m.text === 'Who should get it?');
    await chat.pressCallbackButton(audiences, '✖ Cancel');
    await chat.waitForEdit((m) => m.text === 'Broadcast discarded.');
    expect(await requested('never sent')).toBe(0);
  });
});
