import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startPlatform, type RunningPlatform } from '../platform.js';

const text = (message: Message) => message.text ?? '';

/**
 * Issue 13's first round across the services, as deployed in one process: gamification and subscriptions
 * publish, notifications decides and requests, the gateway delivers to the Telegram sandbox, and
 * /notifications is routed to the notifications service by the gateway.
 */
describe('Messages from events, through the platform', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let platform: RunningPlatform;
  let sandbox: TelegramSandbox;
  let client: RpcClient;
  let botId: string;
  let telegramBot: SandboxBot;

  const notifications = () => platform.services.get('notifications')!.dependencies.orm.em.fork();
  const decisions = (telegramUserId: number) =>
    runSql<{ rule: string; outcome: string }>(
      notifications(),
      "SELECT rule, outcome FROM notifications.notification_rule_sends WHERE telegram_user_id = $1 AND rule <> 'welcome' ORDER BY decided_at",
      [telegramUserId],
    );
  const award = (user: SandboxUser, amount: number) =>
    client.call(RPC.gamification.award, { botId, telegramUserId: String(user.id), amount, reason: 'quiz', sourceId: randomUUID() });
  const botTexts = (chat: SandboxChat) => chat.botMessages().map(text);

  beforeAll(async () => {
    database = await createTestDatabase('bp_platform_notifications');
    bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
    const rpc = { kind: 'in-process', broker: new InProcessBroker() } as const;
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    platform = await startPlatform({
      databaseUrl: database.url,
      bus,
      rpc,
      firstHttpPort: 0,
      logger: false,
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1 },
    });
    client = createRpcClient(rpc);
    telegramBot = sandbox.createBot({ username: 'levels_bot', firstName: 'Levels' });
    botId = (await client.call(RPC.users.registerBot, { name: 'Levels', token: telegramBot.token, ownerTelegramUserId: '9100001' })).botId!;
    await waitFor('the gateway to host the bot', () => platform.gateway.host?.hosted().length === 1, { timeoutMs: 15_000 });
    await client.call(RPC.gamification.configureLevels, {
      botId,
      levels: [
        { level: 1, minXp: '0' },
        { level: 2, minXp: '100' },
        { level: 3, minXp: '300' },
      ],
    });
  });

  afterAll(async () => {
    await client?.close();
    await platform?.close();
    await bus?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  it('sends one level-up message in the member’s language; muted with /notifications, a level-up sends nothing while a receipt arrives', async () => {
    const vera = sandbox.createUser({ firstName: 'Вера', languageCode: 'ru' });
    const chat = sandbox.chat(vera, telegramBot);
    const greeting = chat.waitForMessage(() => true, { timeoutMs: 10_000 });
    chat.sendCommand('start');
    await greeting;
    await waitFor('the recipient', async () =>
      (await runSql(notifications(), 'SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [vera.id])).length ? true : undefined,
    );

    await award(vera, 150);
    await chat.waitForMessage((m) => text(m) === '🎉 Вера, вы достигли уровня 2!', { timeoutMs: 10_000 });

    const screen = chat.waitForMessage((m) => text(m).startsWith('🔔 Уведомления'), { timeoutMs: 10_000 });
    chat.sendCommand('notifications');
    await chat.pressCallbackButton(await screen, '🔔 Уровни и значки: вкл.', { timeoutMs: 10_000 });
    await chat.waitForEdit((m) => (m.reply_markup?.inline_keyboard ?? []).flat().some((b) => b.text === '🔕 Уровни и значки: выкл.'), { timeoutMs: 10_000 });

    await award(vera, 200);
    const planId = randomUUID();
    await client.call(RPC.subscriptions.createPlan, {
      planId,
      botId,
      plan: { texts: [{ language: 'ru', name: 'Месяц', description: 'Доступ' }], periodDays: 30, prices: [], active: true, sortOrder: 1 },
    });
    await client.call(RPC.subscriptions.grantSubscription, {
      grantId: `charge-${vera.id}`,
      botId,
      telegramUserId: String(vera.id),
      planId,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
    });
    await chat.waitForMessage((m) => text(m).startsWith('Подписка активна: 30 дней'), { timeoutMs: 10_000 });
    await waitFor('both decisions', async () => ((await decisions(vera.id)).length === 3 ? true : undefined));
    expect(await decisions(vera.id)).toEqual([
      { rule: 'level_reached', outcome: 'requested' },
      { rule: 'level_reached', outcome: 'muted' },
      { rule: 'subscription_started', outcome: 'requested' },
    ]);
    expect(botTexts(chat).filter((t) => t.startsWith('🎉'))).toEqual(['🎉 Вера, вы достигли уровня 2!']);
  });
});
