import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService, type RpcTransport } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { InlineKeyboardButton, Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { notificationsService } from '../notifications.service.js';

const buttonsOf = (message: Message): string[] => (message.reply_markup?.inline_keyboard ?? []).flat().map((button: InlineKeyboardButton) => button.text);

/**
 * /notifadmin as an admin uses it: the service started as the platform starts it, the feature test kit
 * playing the gateway's routing against the Telegram sandbox. What the rules then send with the saved
 * templates is `services/platform/src/notifications/notifications-admin-api.e2e.spec.ts`.
 */
describe('/notifadmin in a bot', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let bot: KitBot;
  let other: KitBot;

  const templates = (botId: string) =>
    runSql<{ rule: string; language: string; source: string }>(
      service.dependencies.orm.em.fork(),
      'SELECT rule, language, source FROM notifications.notification_templates WHERE bot_id = $1 ORDER BY rule, language',
      [botId],
    );
  const switches = (botId: string) =>
    runSql<{ rule: string; enabled: boolean }>(
      service.dependencies.orm.em.fork(),
      'SELECT rule, enabled FROM notifications.notification_rule_switches WHERE bot_id = $1 ORDER BY rule',
      [botId],
    );

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_rules_admin');
    bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    service = await startService(notificationsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    rpc = createRpcClient(transport);
    const router = service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: rpc.call.bind(rpc) }, declarations: () => [router.declaration()] });
    bot = await kit.bot({ botId: randomUUID(), name: 'News' });
    other = await kit.bot({ botId: randomUUID(), name: 'Other' });
  });

  afterAll(async () => {
    await kit?.close();
    await rpc?.close();
    await bus?.close();
    await service?.close();
    await database?.drop();
  });

  it('shows a member who is not an admin nothing but a refusal, and writes nothing', async () => {
    const chat = bot.chat(kit.user('Max', 'en'));
    chat.sendCommand('notifadmin');
    const refusal = await chat.waitForMessage(() => true);
    expect(refusal.text).toBe("Notification rules are for the bot's admins.");
    expect(buttonsOf(refusal)).toEqual([]);
    expect(await switches(bot.botId)).toEqual([]);
  });

  it('lists the rules with their switches and switches one for this bot only', async () => {
    const admin = kit.user('Ada', 'en');
    bot.setRole(admin, 'ROLE_ADMIN');
    const chat = bot.chat(admin);
    chat.sendCommand('notifadmin');
    const list = await chat.waitForMessage((m) => m.text?.startsWith('🛠 Notification rules') ?? false);
    expect(buttonsOf(list)).toEqual([
      'Welcome',
      '⛔ off',
      'Level reached',
      '✅ on',
      'Badge earned',
      '✅ on',
      'Subscription started',
      '✅ on',
      'Subscription expired',
      '✅ on',
      'Subscription ending',
      '⛔ off',
      'Trial ending',
      '⛔ off',
      'Renewal failed',
      '✅ on',
      'Payment received',
      '⛔ off',
      'Payment refunded',
      '⛔ off',
      'Receipt approved',
      '⛔ off',
      'Receipt rejected',
      '⛔ off',
    ]);
    expect(await chat.pressCallbackButton(list, { row: 0, column: 1 })).toMatchObject({ text: 'Welcome: on' });
    const switched = await chat.waitForEdit((m) => m.message_id === list.message_id && buttonsOf(m)[1] === '✅ on');
    expect(buttonsOf(switched).slice(0, 4)).toEqual(['Welcome', '✅ on', 'Level reached', '✅ on']);
    expect(await switches(bot.botId)).toEqual([{ rule: 'welcome', enabled: true }]);
    expect(await switches(other.botId)).toEqual([]);
  });

  it('edits a rule’s text: a bad template shows the problem and saves nothing, a good one is saved, reset goes back to the default', async () => {
    const admin = kit.user('Ada2', 'en');
    bot.setRole(admin, 'ROLE_OWNER');
    const chat = bot.chat(admin);
    chat.sendCommand('notifadmin');
    const list = await chat.waitForMessage((m) => m.text?.startsWith('🛠 Notification rules') ?? false);
    await chat.pressCallbackButton(list, 'Level reached');
    const card = await chat.waitForEdit((m) => m.message_id === list.message_id && (m.text?.startsWith('Level reached') ?? false));
    expect(card.text).toBe(
      "Level reached (on)\nVariables: $name, $level, $previous_level, $total_xp\nText in “en”, the platform's default text:\n🎉 { $name }, you reached level { $level }!",
    );
    expect(buttonsOf(card)).toEqual(['✏️ Edit', '⛔ Switch off', '⬅️ Rules']);

    await chat.pressCallbackButton(card, '✏️ Edit');
    await chat.waitForMessage((m) => m.text?.startsWith('Send the new text of “Level reached” in “en”') ?? false);
    chat.sendText('Level { $level } for { $nickname }!');
    const refused = await chat.waitForMessage((m) => m.text?.startsWith('❌') ?? false);
    expect(refused.text).toBe(
      '❌ This text cannot be used, nothing was saved:\n• unknown variable $nickname; this rule offers $name, $level, $previous_level, $total_xp',
    );
    const unchangedCard = await chat.waitForMessage((m) => m.text?.startsWith('Level reached (on)') ?? false);
    expect(unchangedCard.text).toContain("the platform's default text");
    expect(await templates(bot.botId)).toEqual([]);

    // Edit again: a step answered once is left, so a plain text after it edits nothing.
    await chat.pressCallbackButton(unchangedCard, '✏️ Edit');
    await chat.waitForMessage((m) => m.text?.startsWith('Send the new text of “Level reached”') ?? false);
    chat.sendText('{ $name } is now level { $level } 🚀');
    await chat.waitForMessage((m) => m.text === '✅ Saved: “Level reached” in “en” uses the new text from the next message on.');
    const saved = await chat.waitForMessage((m) => (m.text?.startsWith('Level reached (on)') ?? false) && (m.text?.includes('own text') ?? false));
    expect(saved.text).toBe(
      "Level reached (on)\nVariables: $name, $level, $previous_level, $total_xp\nText in “en”, the bot's own text:\n{ $name } is now level { $level } 🚀",
    );
    expect(buttonsOf(saved)).toEqual(['✏️ Edit', '⛔ Switch off', '↩️ Reset to default', '⬅️ Rules']);
    expect(await templates(bot.botId)).toEqual([{ rule: 'level_reached', language: 'en', source: '{ $name } is now level { $level } 🚀' }]);
    expect(await templates(other.botId)).toEqual([]);

    expect(await chat.pressCallbackButton(saved, '↩️ Reset to default')).toMatchObject({ text: 'Back to the default text.' });
    const reset = await chat.waitForEdit((m) => m.message_id === saved.message_id && (m.text?.includes("the platform's default text") ?? false));
    expect(buttonsOf(reset)).toEqual(['✏️ Edit', '⛔ Switch off', '⬅️ Rules']);
    expect(await templates(bot.botId)).toEqual([]);

    expect(await chat.pressCallbackButton(reset, '⛔ Switch off')).toMatchObject({ text: 'Level reached: off' });
    await chat.waitForEdit((m) => m.message_id === saved.message_id && (m.text?.startsWith('Level reached (off)') ?? false));
    expect(await switches(bot.botId)).toContainEqual({ rule: 'level_reached', enabled: false });
  });

  it('speaks Russian to a Russian-speaking admin and edits the ru text', async () => {
    const admin = kit.user('Вера', 'ru');
    bot.setRole(admin, 'ROLE_ADMIN');
    const chat = bot.chat(admin);
    chat.sendCommand('notifadmin');
    const list = await chat.waitForMessage((m) => m.text?.startsWith('🛠 Правила уведомлений') ?? false);
    await chat.pressCallbackButton(list, 'Новый значок');
    const card = await chat.waitForEdit((m) => m.message_id === list.message_id && (m.text?.startsWith('Новый значок') ?? false));
    expect(card.text).toBe(
      'Новый значок (включено)\nПеременные: $name, $badge\nТекст на «ru», текст платформы по умолчанию:\n🏅 { $name }, вы получили значок «{ $badge }»!',
    );
    await chat.pressCallbackButton(card, '✏️ Изменить');
    await chat.waitForMessage((m) => m.text?.startsWith('Отправьте новый текст правила «Новый значок» на «ru»') ?? false);
    chat.sendText('Значок { $badge }');
    await chat.waitForMessage((m) => m.text?.startsWith('✅ Сохранено') ?? false);
    expect(await templates(bot.botId)).toEqual([{ rule: 'badge_awarded', language: 'ru', source: 'Значок { $badge }' }]);
  });

  it('refuses the buttons of an admin who is no longer one, switching nothing', async () => {
    const admin = kit.user('Former', 'en');
    bot.setRole(admin, 'ROLE_ADMIN');
    const chat = bot.chat(admin);
    chat.sendCommand('notifadmin');
    const list = await chat.waitForMessage((m) => m.text?.startsWith('🛠 Notification rules') ?? false);
    const before = await switches(bot.botId);
    bot.setRole(admin, 'ROLE_USER');
    expect(await chat.pressCallbackButton(list, { row: 6, column: 1 })).toMatchObject({
      text: "Notification rules are for the bot's admins.",
      showAlert: true,
    });
    expect(await chat.pressCallbackButton(list, { row: 2, column: 0 })).toMatchObject({ text: "Notification rules are for the bot's admins." });
    expect(await switches(bot.botId)).toEqual(before);
  });
});
