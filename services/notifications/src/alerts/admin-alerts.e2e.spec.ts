import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import {
  BotSettingChangedSchema,
  PaymentCompletedSchema,
  PaymentRefundedSchema,
  UserRegisteredSchema,
  subjectOf,
  type DecodedEvent,
  type EventMetadata,
} from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { notificationsService } from '../notifications.service.js';
import type { MessageSendRequested } from '../outbound/outbound-message.decider.js';
import { SourceServices } from '../testing/source-services.harness.js';
import { AdminAlertDispatcher } from './admin-alert-dispatcher.js';
import { onPaymentsAlert } from './on-payments-alert.consumer.js';

const ADMIN_CHAT = -1_001_234_567_890;
const ADMIN_TOPIC = 42;

describe('Admin alerts: to the bot’s admin chat and topic, once per event, in the bot’s language', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let sources: SourceServices;
  let nextUser = 6_000;
  const at = new Date('2026-11-30T12:00:00Z').toISOString();

  const sql = <T extends object>(query: string, parameters: unknown[] = []) => runSql<T>(service.dependencies.orm.em.fork(), query, parameters);
  const alertsOf = async (botId: string) =>
    (
      await sql<{ data: MessageSendRequested['data'] }>(
        "SELECT data FROM notifications.event_store_events WHERE type = 'MessageSendRequested' AND data->>'botId' = $1 AND data->>'purpose' LIKE 'notifications:admin-alert:%' ORDER BY global_position",
        [botId],
      )
    ).map((row) => row.data);
  const decided = (botId: string) =>
    sql<{ alert: string; outcome: string }>('SELECT alert, outcome FROM notifications.notification_admin_alerts WHERE bot_id = $1 ORDER BY decided_at', [
      botId,
    ]);

  const setting = (botId: string, key: string, value: unknown, type = 'SETTING_TYPE_INT') =>
    sources.publish('users', BotSettingChangedSchema, botId, {
      botId,
      key,
      type,
      valueJson: JSON.stringify(value),
      description: '',
      changedBy: 'test',
      changedAt: at,
    });
  /** A bot with its admin chat and topic (and default language) known to the service. */
  const botWithAdminTopic = async (language?: string) => {
    const botId = randomUUID();
    if (language) await setting(botId, 'default_language', language, 'SETTING_TYPE_STRING');
    await setting(botId, 'admin_chat_id', ADMIN_CHAT);
    // A custom setting first written as a string is read as well.
    await setting(botId, 'admin_topic_id', String(ADMIN_TOPIC), 'SETTING_TYPE_STRING');
    await waitFor('the admin chat', async () =>
      (
        await sql('SELECT 1 FROM notifications.notification_admin_chats WHERE bot_id = $1 AND admin_chat_id = $2 AND admin_topic_id = $3', [
          botId,
          ADMIN_CHAT,
          ADMIN_TOPIC,
        ])
      ).length > 0 &&
      (!language || (await sql('SELECT 1 FROM notifications.notification_bots WHERE bot_id = $1', [botId])).length > 0)
        ? true
        : undefined,
    );
    return botId;
  };
  const registered = (botId: string, startPayload?: string) => {
    const telegramUserId = ++nextUser;
    const message = {
      botId,
      userId: randomUUID(),
      telegramUserId: String(telegramUserId),
      firstName: `Ann${telegramUserId}`,
      languageCode: 'en',
      isPremium: false,
      registeredAt: at,
      ...(startPayload ? { startPayload } : {}),
    };
    return { telegramUserId, publish: () => sources.publish('users', UserRegisteredSchema, botId, message) };
  };
  const payment = (botId: string, telegramUserId: number, amount = '250', currency = 'XTR') => ({
    paymentId: randomUUID(),
    botId,
    telegramUserId: String(telegramUserId),
    planId: 'monthly',
    currency,
    amount,
    chargeId: `charge-${randomUUID()}`,
    completedAt: at,
  });

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_alerts');
    bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
    service = await startService(notificationsService, {
      databaseUrl: database.url,
      bus,
      rpc: { kind: 'in-process', broker: new InProcessBroker() },
      httpPort: 0,
      logger: false,
    });
    sources = await SourceServices.start(database.url, bus, ['users', 'payments']);
  });

  afterAll(async () => {
    await sources?.close();
    await bus?.close();
    await service?.close();
    await database?.drop();
  });

  it('alerts the admin topic of a payment once, even when the event is delivered again', async () => {
    const botId = await botWithAdminTopic();
    const member = registered(botId);
    await member.publish();
    await waitFor('the member', async () =>
      (await sql('SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [member.telegramUserId])).length ? true : undefined,
    );
    const paid = payment(botId, member.telegramUserId);
    const eventId = await sources.publish('payments', PaymentCompletedSchema, botId, paid);
    const [alert] = await waitFor('the alert', async () => ((await alertsOf(botId)).length ? alertsOf(botId) : undefined));
    expect(alert).toMatchObject({
      chatId: ADMIN_CHAT,
      messageThreadId: ADMIN_TOPIC,
      text: `💰 New payment: 250 XTR from Ann${member.telegramUserId} (${member.telegramUserId}) (plan monthly).`,
      purpose: 'notifications:admin-alert:payment-completed',
    });

    // The same event again, past the bus's inbox (a replay), three times and at once.
    const consumer = onPaymentsAlert(new AdminAlertDispatcher(service.dependencies.store));
    const again = decoded(PaymentCompletedSchema, eventId, botId, paid);
    await Promise.allSettled(
      [0, 1, 2].map(() => service.dependencies.orm.em.fork().transactional((em) => consumer.handle!(again, { em, attempt: 2, afterCommit: () => {} }))),
    );
    await sleep(300);
    expect(await alertsOf(botId)).toHaveLength(1);
    expect(await decided(botId)).toEqual([{ alert: 'payment-completed', outcome: 'requested' }]);
  });

  it('alerts a refund and a member from a campaign in the bot’s default language, and says nothing of a plain /start', async () => {
    const botId = await botWithAdminTopic('ru');
    const fromCampaign = registered(botId, 'spring-sale');
    await fromCampaign.publish();
    await registered(botId).publish();
    await waitFor('the member', async () =>
      (await sql('SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [fromCampaign.telegramUserId])).length ? true : undefined,
    );
    const { completedAt: _completedAt, ...refunded } = payment(botId, fromCampaign.telegramUserId, '19999', 'RUB');
    await sources.publish('payments', PaymentRefundedSchema, botId, {
      ...refunded,
      reason: 'asked by member',
      refundedBy: 'telegram:1',
      refundedAt: at,
    });
    await waitFor('two alerts', async () => ((await alertsOf(botId)).length === 2 ? true : undefined));
    await sleep(300);
    const texts = (await alertsOf(botId)).map((alert) => alert.text).sort();
    expect(texts).toEqual(
      [
        `↩️ Возврат: 199.99 RUB для Ann${fromCampaign.telegramUserId} (${fromCampaign.telegramUserId}) (тариф monthly), выполнил telegram:1. Причина: asked by member`,
        `👋 Новый участник Ann${fromCampaign.telegramUserId} (${fromCampaign.telegramUserId}) пришёл из кампании «spring-sale».`,
      ].sort(),
    );
    expect((await alertsOf(botId)).every((alert) => alert.chatId === ADMIN_CHAT && alert.messageThreadId === ADMIN_TOPIC)).toBe(true);
  });

  it('sends nothing to a bot without an admin chat, and records why', async () => {
    const botId = randomUUID();
    const member = registered(botId, 'ads');
    await member.publish();
    await sources.publish('payments', PaymentCompletedSchema, botId, payment(botId, member.telegramUserId));
    await waitFor('two decisions', async () => ((await decided(botId)).length === 2 ? true : undefined));
    expect(await decided(botId)).toEqual(
      expect.arrayContaining([
        { alert: 'campaign-member', outcome: 'no_admin_chat' },
        { alert: 'payment-completed', outcome: 'no_admin_chat' },
      ]),
    );
    expect(await alertsOf(botId)).toEqual([]);
  });
});

/** A public event as a consumer receives it. */
function decoded<Desc extends DescMessage>(schema: Desc, eventId: string, botId: string, message: JsonValue): DecodedEvent<Desc> {
  const envelope = {
    eventId,
    type: schema.typeName,
    schemaVersion: 1,
    botId,
    streamId: 'replayed',
    streamPosition: 1n,
    correlationId: randomUUID(),
    actor: { kind: 'system', id: 'test' },
    occurredAt: new Date(),
  } as unknown as EventMetadata;
  return { envelope, subject: subjectOf(schema), schema, message: fromJson(schema, message) };
}
