import { EmbeddedEventBus, InProcessBroker, RpcCallError, type RpcClient } from '@botplatform/bus';
import { MemberLanguageChangedSchema, MemberStatusChangedSchema, RPC, UserRegisteredSchema } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { notificationsService } from '../notifications.service.js';
import type { MessageSendRequested } from '../outbound/outbound-message.decider.js';
import { SourceServices } from '../testing/source-services.harness.js';
import { NotificationsTimerWorker } from './notifications-timer-worker.js';
import { scheduledRequestId } from './send-scheduled-message.timer.js';

/**
 * Scheduled messages through the service's RPC, with two instances of the service on one database (two
 * replicas, each with its own timer worker and request/reply broker): sent once at their time, to the
 * audience the projection has then; cancelled ones never.
 */
describe('Scheduled messages', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let sources: SourceServices;
  const replicas: { service: RunningService; rpc: RpcClient }[] = [];
  let nextUser = 8_000;
  const at = new Date().toISOString();

  const sql = <T extends object>(query: string, parameters: unknown[] = []) => runSql<T>(replicas[0].service.dependencies.orm.em.fork(), query, parameters);
  const requestedFor = async (botId: string) =>
    (
      await sql<{ data: MessageSendRequested['data'] }>(
        "SELECT data FROM notifications.event_store_events WHERE type = 'MessageSendRequested' AND data->>'botId' = $1 ORDER BY global_position",
        [botId],
      )
    ).map((row) => row.data);
  const call: RpcClient['call'] = (method, request) => replicas[Math.floor(Math.random() * replicas.length)].rpc.call(method, request);

  const member = async (botId: string, language: string): Promise<number> => {
    const telegramUserId = ++nextUser;
    await sources.publish('users', UserRegisteredSchema, botId, {
      botId,
      userId: randomUUID(),
      telegramUserId: String(telegramUserId),
      firstName: `M${telegramUserId}`,
      languageCode: language,
      isPremium: false,
      registeredAt: at,
    });
    await waitFor('the recipient row', async () =>
      (await sql('SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [telegramUserId])).length > 0 ? true : undefined,
    );
    return telegramUserId;
  };
  const schedule = (botId: string, audience: object, sendInMs: number, text = 'Hello from the admins') =>
    call(RPC.notifications.scheduleMessage, {
      requestId: randomUUID(),
      botId,
      text,
      audience,
      sendAt: new Date(Date.now() + sendInMs).toISOString(),
      scheduledBy: 'telegram:1',
    });
  const statusOf = async (id: string) =>
    (await sql<{ status: string }>('SELECT status FROM notifications.notification_scheduled_messages WHERE scheduled_message_id = $1', [id]))[0]?.status;

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_scheduled');
    bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
    for (let i = 0; i < 2; i++) {
      const broker = new InProcessBroker();
      const service = await startService(notificationsService, {
        databaseUrl: database.url,
        bus,
        rpc: { kind: 'in-process', broker },
        httpPort: 0,
        logger: false,
      });
      replicas.push({ service, rpc: createRpcClient({ kind: 'in-process', broker }) });
    }
    sources = await SourceServices.start(database.url, bus, ['users']);
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.rpc.close();
    await sources?.close();
    await bus?.close();
    for (const replica of replicas) await replica.service.close();
    await database?.drop();
  });

  it('sends a message scheduled for one member once, at its time, with two instances running', async () => {
    const botId = randomUUID();
    const telegramUserId = await member(botId, 'en');
    const { message, created } = await schedule(botId, { telegramUserId: String(telegramUserId) }, 1_500);
    expect(created).toBe(true);
    expect(message).toMatchObject({ botId, status: 'scheduled', audience: { telegramUserId: String(telegramUserId) }, scheduledBy: 'telegram:1' });
    // Not before its time.
    await sleep(500);
    expect(await requestedFor(botId)).toEqual([]);

    await waitFor('the sent status', async () => ((await statusOf(message!.scheduledMessageId!)) === 'sent' ? true : undefined), { timeoutMs: 10_000 });
    // Both workers kept looking for a while longer: still one.
    await sleep(1_500);
    const sent = await requestedFor(botId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      requestId: scheduledRequestId(message!.scheduledMessageId!, telegramUserId),
      chatId: telegramUserId,
      text: 'Hello from the admins',
      purpose: 'notifications:scheduled-message',
    });
    const fired = replicas.map((replica) => replica.service.app.get(NotificationsTimerWorker).worker.stats());
    expect(fired.reduce((sum, stats) => sum + stats.fired, 0)).toBeGreaterThanOrEqual(1);
    const [listed] = (await call(RPC.notifications.listScheduledMessages, { botId })).messages!;
    expect(listed).toMatchObject({ scheduledMessageId: message!.scheduledMessageId, status: 'sent', recipients: 1 });
  });

  it('schedules once for a retried request', async () => {
    const botId = randomUUID();
    const request = {
      requestId: randomUUID(),
      botId,
      text: 'Once',
      audience: { members: {} },
      sendAt: new Date(Date.now() + 60_000).toISOString(),
      scheduledBy: 'api:7',
    };
    const replies = await Promise.all([0, 1, 2, 3].map(() => call(RPC.notifications.scheduleMessage, request)));
    expect(replies.filter((reply) => reply.created)).toHaveLength(1);
    expect((await call(RPC.notifications.listScheduledMessages, { botId })).messages).toHaveLength(1);
    expect(await sql('SELECT 1 FROM notifications.scheduled_timers WHERE key = $1', [request.requestId])).toHaveLength(1);
  });

  it('sends to the bot’s reachable members matching the filter, each once', async () => {
    const botId = randomUUID();
    const ru1 = await member(botId, 'ru');
    const ru2 = await member(botId, 'ru-RU');
    const en = await member(botId, 'en');
    const chose = await member(botId, 'en');
    await sources.publish('users', MemberLanguageChangedSchema, botId, {
      botId,
      userId: randomUUID(),
      telegramUserId: String(chose),
      languageCode: 'ru',
      changedAt: at,
    });
    const gone = await member(botId, 'ru');
    await sources.publish('users', MemberStatusChangedSchema, botId, {
      botId,
      userId: randomUUID(),
      telegramUserId: String(gone),
      status: 'MEMBER_STATUS_BOT_BLOCKED_BY_USER',
      previousStatus: 'MEMBER_STATUS_ACTIVE',
      changedBy: 'system',
      changedAt: at,
    });
    await waitFor('the projection', async () =>
      (
        await sql(
          "SELECT 1 FROM notifications.notification_recipients WHERE (telegram_user_id = $1 AND language_override = 'ru') OR (telegram_user_id = $2 AND blocked_bot)",
          [chose, gone],
        )
      ).length === 2
        ? true
        : undefined,
    );
    const toRu = await schedule(botId, { members: { language: 'ru' } }, 1_000, 'Привет');
    const toAll = await schedule(botId, { members: {} }, 1_000, 'Hi all');
    for (const reply of [toRu, toAll]) {
      await waitFor('sent', async () => ((await statusOf(reply.message!.scheduledMessageId!)) === 'sent' ? true : undefined), { timeoutMs: 10_000 });
    }
    await sleep(1_000);
    const sent = await requestedFor(botId);
    expect(
      sent
        .filter((m) => m.text === 'Привет')
        .map((m) => m.chatId)
        .sort(),
    ).toEqual([ru1, ru2, chose].sort());
    expect(
      sent
        .filter((m) => m.text === 'Hi all')
        .map((m) => m.chatId)
        .sort(),
    ).toEqual([ru1, ru2, en, chose].sort());
    expect(new Set(sent.map((m) => m.requestId)).size).toBe(sent.length);
  });

  it('sends nothing of a message cancelled before its time, and refuses to cancel it twice or once sent', async () => {
    const botId = randomUUID();
    const telegramUserId = await member(botId, 'en');
    const { message } = await schedule(botId, { telegramUserId: String(telegramUserId) }, 1_500);
    const id = message!.scheduledMessageId!;
    const { message: cancelled } = await call(RPC.notifications.cancelScheduledMessage, { botId, scheduledMessageId: id, cancelledBy: 'telegram:1' });
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    await expect(call(RPC.notifications.cancelScheduledMessage, { botId, scheduledMessageId: id, cancelledBy: 'telegram:1' })).rejects.toMatchObject({
      code: 'NOTIFICATIONS.SCHEDULED_MESSAGE_CANCELLED',
    });
    // Past its time, and then some.
    await sleep(3_000);
    expect(await requestedFor(botId)).toEqual([]);
    expect(await statusOf(id)).toBe('cancelled');

    const sent = await schedule(botId, { telegramUserId: String(telegramUserId) }, 500);
    await waitFor('sent', async () => ((await statusOf(sent.message!.scheduledMessageId!)) === 'sent' ? true : undefined), { timeoutMs: 10_000 });
    const late = await call(RPC.notifications.cancelScheduledMessage, {
      botId,
      scheduledMessageId: sent.message!.scheduledMessageId!,
      cancelledBy: 'telegram:1',
    }).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(RpcCallError);
    expect((late as RpcCallError).code).toBe('NOTIFICATIONS.SCHEDULED_MESSAGE_SENT');
    expect(await requestedFor(botId)).toHaveLength(1);
  });

  it('refuses a time in the past, an audience of neither kind, and another bot’s message, writing nothing', async () => {
    const botId = randomUUID();
    await expect(schedule(botId, { telegramUserId: '5' }, -60_000)).rejects.toMatchObject({ code: 'NOTIFICATIONS.INVALID_SCHEDULE' });
    await expect(schedule(botId, {}, 60_000)).rejects.toMatchObject({ code: 'VALIDATION.FAILED' });
    await expect(schedule(botId, { members: { plan: 'gold' } }, 60_000)).rejects.toMatchObject({ code: 'VALIDATION.FAILED' });
    expect((await call(RPC.notifications.listScheduledMessages, { botId })).messages ?? []).toEqual([]);
    const { message } = await schedule(botId, { members: {} }, 60_000);
    await expect(
      call(RPC.notifications.cancelScheduledMessage, { botId: randomUUID(), scheduledMessageId: message!.scheduledMessageId!, cancelledBy: 'telegram:1' }),
    ).rejects.toMatchObject({ code: 'NOTIFICATIONS.SCHEDULED_MESSAGE_NOT_FOUND' });
    expect(await statusOf(message!.scheduledMessageId!)).toBe('scheduled');
  });
});
