import { EmbeddedEventBus, InProcessBroker, busMigrations, type RpcClient, type RunningConsumer } from '@botplatform/bus';
import { RPC, SubscriptionReminderDueSchema, isEventOf, subjectOf, type PlanDefinitionJson } from '@botplatform/contracts';
import { createServiceOrm, runSql } from '@botplatform/event-store';
import { notificationsService } from '@botplatform/notifications';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { Clock, reminderRequestId, subscriptionsService } from '@botplatform/subscriptions';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import { INSECURE_DEVELOPMENT_TOKEN_KEYS, createUsersService, registerTestBot } from '@botplatform/users';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';

const DAY = 86_400_000;

/** The wall clock, shifted while a test grants a period whose reminder should come in a few seconds. */
class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const plan = (periodDays: number): PlanDefinitionJson => ({
  texts: [
    { language: 'en', name: 'Premium', description: '' },
    { language: 'ru', name: 'Премиум', description: '' },
  ],
  periodDays,
  prices: [{ currency: 'XTR', amount: '100' }],
  quotaLevel: 'premium',
  active: true,
});

interface SentRow {
  request_id: string;
  chat_id: string;
  text: string;
}

/**
 * Reminders before a period's end across the services: the bot's reminder days are its setting in the
 * users service, which the subscriptions service follows; the reminder timer records `ReminderDue` once
 * per period end and number of days, and asks notifications (the real service) for the message in the
 * member's language with a request id derived from the reminder, so notifications queues it once.
 */
describe('Subscription reminders', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let users: RunningService;
  let notifications: RunningService;
  let subscriptions: RunningService;
  let client: RpcClient;
  let observerOrm: MikroORM;
  let observer: RunningConsumer;
  const remindersSeen: string[] = [];
  const clock = new ShiftedClock();
  let member = 9_500_000;

  const sql = <T extends object>(service: RunningService, query: string, parameters: unknown[] = []) =>
    runSql<T>(service.dependencies.orm.em.fork(), query, parameters);
  const sentTo = (botId: string) =>
    sql<SentRow>(
      notifications,
      `SELECT data->>'requestId' AS request_id, data->>'chatId' AS chat_id, data->>'text' AS text FROM notifications.event_store_events
       WHERE type = 'MessageSendRequested' AND data->>'botId' = $1 AND data->>'purpose' = 'subscriptions:end-reminder'`,
      [botId],
    );
  const remindersOf = (botId: string, telegramUserId: number) =>
    sql<{ data: { daysBefore: number; endsAt: string } }>(
      subscriptions,
      `SELECT data FROM subscriptions.event_store_events WHERE type = 'ReminderDue' AND stream_id = $1`,
      [`subscription-${botId}-${telegramUserId}`],
    );
  const reminderTimers = (botId: string, telegramUserId: number) =>
    sql<{ key: string; fired: boolean }>(
      subscriptions,
      `SELECT key, fired_at IS NOT NULL AS fired FROM subscriptions.scheduled_timers WHERE kind = 'subscription-reminder' AND key LIKE $1 ORDER BY due_at`,
      [`${botId}:${telegramUserId}:%`],
    );

  async function newBot(settings: Record<string, unknown>, periodDays: number) {
    const { botId } = await registerTestBot(users.dependencies.store, users.dependencies.orm.em, { settings });
    const planId = randomUUID();
    await client.call(RPC.subscriptions.createPlan, { planId, botId, plan: plan(periodDays) });
    return { botId, planId };
  }
  const newMember = async (botId: string, languageCode: string) => {
    const telegramUserId = ++member;
    await client.call(RPC.users.registerUser, { botId, telegramUserId: String(telegramUserId), firstName: 'Member', languageCode });
    return telegramUserId;
  };
  /** Grants the plan on a clock shifted so that its period ends `endsInMs` from now. */
  const grantEndingIn = async (bot: { botId: string; planId: string }, periodDays: number, telegramUserId: number, endsInMs: number) => {
    clock.offsetMs = -periodDays * DAY + endsInMs;
    try {
      const reply = await client.call(RPC.subscriptions.grantSubscription, {
        grantId: randomUUID(),
        botId: bot.botId,
        telegramUserId: String(telegramUserId),
        planId: bot.planId,
        source: 'SUBSCRIPTION_SOURCE_PAYMENT',
        grantedBy: 'payments',
      });
      return reply.subscription!.endsAt!;
    } finally {
      clock.offsetMs = 0;
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_subscription_reminders');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const rpc = { kind: 'in-process' as const, broker: new InProcessBroker() };
    const infrastructure = { databaseUrl: database.url, bus, rpc, httpPort: 0, logger: false as const };
    users = await startService(createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS, operatorToken: 'operator-token-for-tests' }), infrastructure);
    notifications = await startService(notificationsService, infrastructure);
    subscriptions = await startService(
      {
        ...subscriptionsService,
        module: (dependencies) => {
          const module = subscriptionsService.module(dependencies);
          return { ...module, providers: [...(module.providers ?? []), { provide: Clock, useValue: clock }] };
        },
      },
      infrastructure,
    );
    client = createRpcClient(rpc);
    observerOrm = await createServiceOrm({ clientUrl: database.url, schema: 'observer', migrations: busMigrations });
    observer = await bus.consume(
      {
        name: 'observer--reminders',
        source: 'subscriptions',
        subjects: [subjectOf(SubscriptionReminderDueSchema)],
        handle: async (event) => {
          if (isEventOf(event, SubscriptionReminderDueSchema)) remindersSeen.push(`${event.message.botId}:${event.message.daysBefore}`);
        },
      },
      observerOrm,
    );
  });

  afterAll(async () => {
    await client?.close();
    await observer?.stop();
    await subscriptions?.close();
    await notifications?.close();
    await users?.close();
    await bus?.close();
    await observerOrm?.close(true);
    await database?.drop();
  });

  it("schedules a reminder for each of the bot's days, 3 and 1 by default", async () => {
    const bot = await newBot({}, 30);
    const ann = await newMember(bot.botId, 'en');
    const endsAt = await grantEndingIn(bot, 30, ann, 30 * DAY);
    expect(await reminderTimers(bot.botId, ann)).toEqual([
      { key: `${bot.botId}:${ann}:${endsAt}:3d`, fired: false },
      { key: `${bot.botId}:${ann}:${endsAt}:1d`, fired: false },
    ]);
  });

  it('reminds once, in the member language, at the days the bot set, even when its timer fires again', async () => {
    const bot = await newBot({ 'subscriptions.reminder_days': [1] }, 3);
    await waitFor(
      'the subscriptions service to follow the setting',
      async () => (await sql(subscriptions, 'SELECT 1 FROM subscriptions.bot_reminder_days WHERE bot_id = $1', [bot.botId])).length > 0,
    );
    const olga = await newMember(bot.botId, 'ru');
    // A 3-day period ending in a day and 2 s: its 1-day reminder is due in 2 s.
    const endsAt = await grantEndingIn(bot, 3, olga, DAY + 2_000);
    const timers = await reminderTimers(bot.botId, olga);
    expect(timers.map((t) => t.key)).toEqual([`${bot.botId}:${olga}:${endsAt}:1d`]);

    const [sent] = await waitFor('the reminder to reach notifications', async () => {
      const rows = await sentTo(bot.botId);
      return rows.length > 0 && rows;
    });
    expect(sent).toEqual({
      request_id: reminderRequestId(bot.botId, olga, endsAt, 1),
      chat_id: String(olga),
      text: `Подписка «Премиум» заканчивается через 1 день: ${endsAt.slice(0, 10)} ${endsAt.slice(11, 16)} UTC. Продлить: /plans`,
    });
    expect(await remindersOf(bot.botId, olga)).toEqual([{ data: expect.objectContaining({ daysBefore: 1, endsAt }) }]);
    await waitFor('the published reminder', () => remindersSeen.includes(`${bot.botId}:1`));

    // The same timer fires a second time (a duplicate firing): nothing is recorded or sent again.
    await sql(subscriptions, `UPDATE subscriptions.scheduled_timers SET fired_at = NULL, due_at = now() WHERE key = $1`, [timers[0].key]);
    await waitFor('the second firing', async () => (await reminderTimers(bot.botId, olga))[0].fired);
    await sleep(300);
    expect(await remindersOf(bot.botId, olga)).toHaveLength(1);
    expect(await sentTo(bot.botId)).toHaveLength(1);
    expect(remindersSeen.filter((r) => r === `${bot.botId}:1`)).toHaveLength(1);

    // A send whose commit was lost is asked again with the same request id: notifications queues nothing new.
    const again = await client.call(RPC.notifications.sendMessage, {
      requestId: reminderRequestId(bot.botId, olga, endsAt, 1),
      botId: bot.botId,
      chatId: String(olga),
      text: sent.text,
      purpose: 'subscriptions:end-reminder',
    });
    expect(again.accepted ?? false).toBe(false);
    expect(await sentTo(bot.botId)).toHaveLength(1);
  });

  it('reminds in English a member whose language it does not speak', async () => {
    const bot = await newBot({ 'subscriptions.reminder_days': [2] }, 5);
    await waitFor(
      'the setting',
      async () => (await sql(subscriptions, 'SELECT 1 FROM subscriptions.bot_reminder_days WHERE bot_id = $1', [bot.botId])).length > 0,
    );
    const hans = await newMember(bot.botId, 'de');
    const endsAt = await grantEndingIn(bot, 5, hans, 2 * DAY + 1_500);
    const [sent] = await waitFor('the reminder', async () => {
      const rows = await sentTo(bot.botId);
      return rows.length > 0 && rows;
    });
    expect(sent.text).toBe(`Your subscription "Premium" ends in 2 days, on ${endsAt.slice(0, 10)} ${endsAt.slice(11, 16)} UTC. To extend it: /plans`);
  });
});
