import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { LevelReachedSchema, RPC, SubscriptionStartedSchema, UserRegisteredSchema } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService, type RpcTransport } from '@botplatform/service-kit';
import type { SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { InlineKeyboardButton, Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { notificationsService } from '../notifications.service.js';
import { SourceServices } from '../testing/source-services.harness.js';

const at = '2026-11-30T12:00:00.000Z';
const buttonsOf = (message: Message): string[] => (message.reply_markup?.inline_keyboard ?? []).flat().map((button: InlineKeyboardButton) => button.text);

/**
 * /notifications as members use it: the service started as the platform starts it, the feature test kit
 * playing the gateway's routing against the Telegram sandbox, and the stand-in producers feeding the
 * rules, so a category muted with a button is seen to send nothing.
 */
describe('/notifications in a bot', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let sources: SourceServices;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let bot: KitBot;

  const decided = async (telegramUserId: number) =>
    runSql<{ rule: string; outcome: string }>(
      service.dependencies.orm.em.fork(),
      "SELECT rule, outcome FROM notifications.notification_rule_sends WHERE telegram_user_id = $1 AND rule <> 'welcome' ORDER BY decided_at",
      [telegramUserId],
    );
  const register = async (user: SandboxUser) => {
    await sources.publish('users', UserRegisteredSchema, bot.botId, {
      botId: bot.botId,
      userId: randomUUID(),
      telegramUserId: String(user.id),
      firstName: user.firstName,
      languageCode: user.languageCode ?? 'en',
      isPremium: false,
      registeredAt: at,
    });
    await waitFor('the recipient', async () =>
      (await runSql(service.dependencies.orm.em.fork(), 'SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [user.id])).length
        ? true
        : undefined,
    );
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_feature');
    bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    service = await startService(notificationsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    sources = await SourceServices.start(database.url, bus, ['users', 'gamification', 'subscriptions']);
    rpc = createRpcClient(transport);
    const router = service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: rpc.call.bind(rpc) }, declarations: () => [router.declaration()] });
    bot = await kit.bot({ botId: randomUUID(), name: 'Quiz' });
  });

  afterAll(async () => {
    await kit?.close();
    await rpc?.close();
    await sources?.close();
    await bus?.close();
    await service?.close();
    await database?.drop();
  });

  it('declares /notifications for everyone, described in both languages', () => {
    const declaration = service.declarer!.router.declaration();
    expect(declaration.commands?.map((command) => [command.command, command.audience])).toEqual([
      ['broadcast', 'AUDIENCE_ADMINS'],
      ['notifadmin', 'AUDIENCE_ADMINS'],
      ['notifications', 'AUDIENCE_EVERYONE'],
    ]);
    expect(declaration.commands?.find((command) => command.command === 'notifications')?.descriptions).toEqual({
      en: 'choose which messages the bot sends you',
      ru: 'выбрать, какие сообщения присылает бот',
    });
  });

  it('shows a button per category that can be muted, in Russian, receipts always on', async () => {
    const user = kit.user('Вера', 'ru');
    const chat = bot.chat(user);
    chat.sendCommand('notifications');
    const screen = await chat.waitForMessage((m) => m.text?.startsWith('🔔 Уведомления') ?? false);
    expect(screen.text).toBe('🔔 Уведомления этого бота. Нажмите на вид, чтобы включить или выключить его.\nЧеки об оплате приходят всегда.');
    expect(buttonsOf(screen)).toEqual(['🔔 Приветствие: вкл.', '🔔 Уровни и значки: вкл.', '🔔 Новости подписки: вкл.']);
  });

  it('mutes levels and badges with a button: a level-up then sends nothing, a subscription receipt still arrives', async () => {
    const user = kit.user('Nina', 'en');
    await register(user);
    const chat = bot.chat(user);
    chat.sendCommand('notifications');
    const screen = await chat.waitForMessage((m) => m.text?.startsWith('🔔 Notifications') ?? false);
    expect(buttonsOf(screen)).toEqual(['🔔 Welcome: on', '🔔 Levels and badges: on', '🔔 Subscription news: on']);

    chat.pressButton(screen, '🔔 Levels and badges: on');
    const edited = await chat.waitForEdit((m) => buttonsOf(m).includes('🔕 Levels and badges: off'));
    expect(buttonsOf(edited)).toEqual(['🔔 Welcome: on', '🔕 Levels and badges: off', '🔔 Subscription news: on']);
    await waitFor('the answer', async () => (chat.callbackAnswers().some((a) => a.text === 'Levels and badges: off') ? true : undefined));

    await sources.publish('gamification', LevelReachedSchema, bot.botId, {
      botId: bot.botId,
      telegramUserId: String(user.id),
      fromLevel: 1,
      toLevel: 2,
      totalXp: '100',
      reachedAt: at,
    });
    await sources.publish('subscriptions', SubscriptionStartedSchema, bot.botId, {
      botId: bot.botId,
      telegramUserId: String(user.id),
      planId: 'monthly',
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      trial: false,
      startedAt: at,
      endsAt: '2026-12-01T12:00:00.000Z',
    });
    await waitFor('both decisions', async () => ((await decided(user.id)).length === 2 ? true : undefined));
    expect(await decided(user.id)).toEqual(
      expect.arrayContaining([
        { rule: 'level_reached', outcome: 'muted' },
        { rule: 'subscription_started', outcome: 'requested' },
      ]),
    );

    // Pressed again: on again.
    chat.pressButton(edited, '🔕 Levels and badges: off');
    await chat.waitForEdit((m) => buttonsOf(m).includes('🔔 Levels and badges: on'));
  });

  it('keeps each member’s preferences their own, and ignores a forged press of the receipts', async () => {
    const ann = kit.user('Ann', 'en');
    const bob = kit.user('Bob', 'en');
    const annChat = bot.chat(ann);
    annChat.sendCommand('notifications');
    const screen = await annChat.waitForMessage((m) => m.text?.startsWith('🔔 Notifications') ?? false);
    annChat.pressButton(screen, '🔔 Welcome: on');
    await annChat.waitForEdit((m) => buttonsOf(m).includes('🔕 Welcome: off'));

    const bobChat = bot.chat(bob);
    bobChat.sendCommand('notifications');
    const bobScreen = await bobChat.waitForMessage((m) => m.text?.startsWith('🔔 Notifications') ?? false);
    expect(buttonsOf(bobScreen)).toEqual(['🔔 Welcome: on', '🔔 Levels and badges: on', '🔔 Subscription news: on']);

    // A press of a receipts button the screen never showed, as anyone could forge one.
    const reply = await rpc.call(RPC.notifications.handleBotUpdate, {
      context: {
        botId: bot.botId,
        botName: 'Quiz',
        member: { userId: randomUUID(), telegramUserId: String(bob.id), firstName: 'Bob', role: 'ROLE_USER', joinedAt: at },
        language: 'en',
        timeZone: 'UTC',
      },
      updateId: '1',
      chatId: String(bob.id),
      callback: { callbackQueryId: 'forged', data: 'ntf:t:payments', messageId: String(bobScreen.message_id) },
    });
    expect(reply.actions?.some((action) => action.edit)).toBeFalsy();
    const rows = await runSql(service.dependencies.orm.em.fork(), 'SELECT category FROM notifications.notification_mutes WHERE telegram_user_id = $1', [
      bob.id,
    ]);
    expect(rows).toEqual([]);
  });
});
