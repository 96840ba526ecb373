import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson, type SendMessageRequestJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { startSubscriptionsReplica, type SubscriptionsReplica } from '../testing/subscriptions-replica.harness.js';
import { reminderRequestId } from './reminder-delivery.client.js';

const DAY = 86_400_000;
const FOUR_DAYS: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Four days', description: '' },
    { language: 'ru', name: 'Четыре дня', description: '' },
  ],
  periodDays: 4,
  prices: [{ currency: 'XTR', amount: '40' }],
  active: true,
};

/**
 * A reminder's sending from the subscriptions service, with the users and notifications services stood in
 * on its broker: the member's language asked of users, the message of notifications, a failure retried by
 * the timer with the same request id, and a timer fired again sending nothing.
 */
describe('Sending a reminder', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let replica: SubscriptionsReplica;
  const sent: SendMessageRequestJson[] = [];
  let failSends = 0;
  const languages = new Map<string, string>();

  const sql = <T extends object>(query: string, parameters: unknown[] = []) => runSql<T>(replica.service.dependencies.orm.em.fork(), query, parameters);
  const reminderEvents = (botId: string) =>
    sql<{ stream_id: string }>(`SELECT stream_id FROM subscriptions.event_store_events WHERE type = 'ReminderDue' AND stream_id LIKE $1`, [
      `subscription-${botId}-%`,
    ]);
  const timer = async (key: string) =>
    (
      await sql<{ fired: boolean; attempts: number }>('SELECT fired_at IS NOT NULL AS fired, attempts FROM subscriptions.scheduled_timers WHERE key = $1', [
        key,
      ])
    )[0];

  /** A bot with the plan, and a member granted it so that the period ends `endsInMs` from now. */
  async function grantEndingIn(endsInMs: number, language?: string) {
    const botId = randomUUID();
    const planId = randomUUID();
    await replica.call(RPC.subscriptions.createPlan, { planId, botId, plan: FOUR_DAYS });
    const telegramUserId = 9_700_000 + sent.length + Math.floor(Math.random() * 1_000);
    if (language) languages.set(`${botId}:${telegramUserId}`, language);
    replica.clock.shift(-4 * DAY + endsInMs);
    try {
      const reply = await replica.call(RPC.subscriptions.grantSubscription, {
        grantId: randomUUID(),
        botId,
        telegramUserId: String(telegramUserId),
        planId,
        source: 'SUBSCRIPTION_SOURCE_PAYMENT',
        grantedBy: 'payments',
      });
      return { botId, telegramUserId, endsAt: reply.subscription!.endsAt! };
    } finally {
      replica.clock.shift(0);
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase('bp_subscriptions_reminders');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    broker.register(RPC.users.getMember.subject, async (request) => {
      const { botId, telegramUserId } = request as { botId: string; telegramUserId: string };
      const language = languages.get(`${botId}:${telegramUserId}`);
      return language ? { member: { botId, telegramUserId, firstName: 'M', telegramLanguageCode: language } } : {};
    });
    broker.register(RPC.notifications.sendMessage.subject, async (request) => {
      sent.push(request as SendMessageRequestJson);
      if (failSends > 0) {
        failSends--;
        throw { code: 'NOTIFICATIONS.UNAVAILABLE', message: 'notifications is down' };
      }
      return { requestId: (request as SendMessageRequestJson).requestId, accepted: true };
    });
    replica = await startSubscriptionsReplica(database.url, bus, undefined, broker);
  });

  afterAll(async () => {
    await replica?.close();
    await bus?.close();
    await database?.drop();
  });

  it('is retried by its timer after a failed send, with the same request id, and recorded once', async () => {
    failSends = 1;
    const before = sent.length;
    // Ends in 3 days and 1.5 s: the 3-day reminder (a default day) is due in 1.5 s.
    const { botId, telegramUserId, endsAt } = await grantEndingIn(3 * DAY + 1_500, 'ru');
    const key = `${botId}:${telegramUserId}:${endsAt}:3d`;
    await waitFor('the send after the retry', () => sent.length >= before + 2, { timeoutMs: 10_000 });
    await waitFor('the timer to be fired', async () => (await timer(key))?.fired);
    const attempts = sent.slice(before);
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((a) => a.requestId))).toEqual(new Set([reminderRequestId(botId, telegramUserId, endsAt, 3)]));
    expect(attempts[1]).toMatchObject({
      botId,
      chatId: String(telegramUserId),
      purpose: 'subscriptions:end-reminder',
      text: expect.stringMatching(/^Подписка «Четыре дня» заканчивается через 3 дня: /),
    });
    // The failed attempt rolled its ReminderDue back: one in all.
    expect(await reminderEvents(botId)).toHaveLength(1);
    expect((await timer(key)).attempts).toBe(1);

    // Fired again (a duplicate firing): nothing recorded, nothing sent.
    await sql('UPDATE subscriptions.scheduled_timers SET fired_at = NULL, due_at = now() WHERE key = $1', [key]);
    replica.worker.wake();
    await waitFor('the second firing', async () => (await timer(key)).fired);
    await sleep(200);
    expect(sent).toHaveLength(before + 2);
    expect(await reminderEvents(botId)).toHaveLength(1);
  });

  it('writes in English to a member the users service does not know, with the days actually left', async () => {
    const before = sent.length;
    // The 3-day reminder came due a day ago (as for a service that was down): it says 2 days.
    const { botId } = await grantEndingIn(2 * DAY + 1_000);
    await waitFor('the late 3-day reminder', () => sent.length > before);
    expect(sent[before]).toMatchObject({ botId, text: expect.stringMatching(/^Your subscription "Four days" ends in 2 days, on /) });
  });

  it('sends only the latest of reminders that came due together', async () => {
    const before = sent.length;
    // Both the 3-day and the 1-day reminders are due: one message, the 1-day one's.
    const { botId, telegramUserId, endsAt } = await grantEndingIn(DAY - 1_000);
    await waitFor('both reminder timers to fire', async () =>
      (await Promise.all([3, 1].map((d) => timer(`${botId}:${telegramUserId}:${endsAt}:${d}d`)))).every((t) => t?.fired),
    );
    await sleep(200);
    expect(sent.slice(before)).toEqual([expect.objectContaining({ requestId: reminderRequestId(botId, telegramUserId, endsAt, 1) })]);
    expect(await reminderEvents(botId)).toHaveLength(1);
  });
});
