import { EmbeddedEventBus, busMigrations, type RunningConsumer } from '@botplatform/bus';
import { RPC, SubscriptionExpiredSchema, int64ToNumber, isEventOf, subjectOf, type PlanDefinitionJson } from '@botplatform/contracts';
import { createServiceOrm, runSql } from '@botplatform/event-store';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { startSubscriptionsReplica, type SubscriptionsReplica } from '../testing/subscriptions-replica.harness.js';
import { EXPIRY_TIMER } from './subscription-schedule.js';

const DAY = 86_400_000;
const DAY_PLAN: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Day', description: '' }],
  periodDays: 1,
  prices: [{ currency: 'XTR', amount: '10' }],
  quotaLevel: 'premium',
  active: true,
};

/**
 * The expiry timer through the running service on real PostgreSQL: armed with the period, fired by the
 * service's own worker at the end (the database's clock), once, whatever the number of replicas.
 * Grants are made on a clock shifted one day back (plus a lead), so a one-day period ends `lead` ms from now.
 */
describe('Subscription expiry on the durable schedule', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let observerOrm: MikroORM;
  let observer: RunningConsumer;
  const expiredSeen: { botId: string; telegramUserId: number }[] = [];
  const replicas: SubscriptionsReplica[] = [];
  let member = 8_100_000;

  const startReplica = async () => {
    const replica = await startSubscriptionsReplica(database.url, bus);
    replicas.push(replica);
    return replica;
  };
  const stop = async (replica: SubscriptionsReplica) => {
    replicas.splice(replicas.indexOf(replica), 1);
    await replica.close();
  };
  const sql = <T extends object>(query: string, parameters: unknown[] = []) => runSql<T>(observerOrm.em.fork(), query, parameters);
  const expiredEvents = (botId: string) =>
    sql<{ stream_id: string }>(`SELECT stream_id FROM subscriptions.event_store_events WHERE type = 'SubscriptionExpired' AND stream_id LIKE $1`, [
      `subscription-${botId}-%`,
    ]);
  const timerOf = async (botId: string, telegramUserId: number) =>
    (
      await sql<{ due_at: string; fired_at: string | null }>(
        `SELECT to_json(due_at) #>> '{}' AS due_at, to_json(fired_at) #>> '{}' AS fired_at FROM subscriptions.scheduled_timers WHERE kind = $1 AND key = $2`,
        [EXPIRY_TIMER, `${botId}:${telegramUserId}`],
      )
    )[0];

  async function newBot(replica: SubscriptionsReplica) {
    const botId = randomUUID();
    const planId = randomUUID();
    await replica.call(RPC.subscriptions.createPlan, { planId, botId, plan: DAY_PLAN });
    return { botId, planId };
  }
  /** How many expiry timers a replica fired, as its metrics say. */
  async function firedExpiries(replica: SubscriptionsReplica): Promise<number> {
    const text = await (await fetch(`${replica.service.url}/metrics`)).text();
    return Number(/botplatform_timers_total\{[^}]*kind="subscription-expiry"[^}]*outcome="fired"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
  }
  /** Grants the one-day plan so that it ends `leadMs` from now (real time). */
  async function grantEndingIn(replica: SubscriptionsReplica, bot: { botId: string; planId: string }, leadMs: number, telegramUserId = ++member) {
    replica.clock.shift(-DAY + leadMs);
    const reply = await replica.call(RPC.subscriptions.grantSubscription, {
      grantId: randomUUID(),
      botId: bot.botId,
      telegramUserId: String(telegramUserId),
      planId: bot.planId,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
    });
    replica.clock.shift(0);
    return { telegramUserId, endsAt: new Date(reply.subscription!.endsAt!) };
  }

  beforeAll(async () => {
    database = await createTestDatabase('bp_subscriptions_expiry');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    // The first replica migrates the schema the observer's queries read.
    await startReplica();
    // Another service's view of the published expiries.
    observerOrm = await createServiceOrm({ clientUrl: database.url, schema: 'observer', migrations: busMigrations });
    observer = await bus.consume(
      {
        name: 'observer--expiries',
        source: 'subscriptions',
        subjects: [subjectOf(SubscriptionExpiredSchema)],
        handle: async (event) => {
          if (isEventOf(event, SubscriptionExpiredSchema)) {
            expiredSeen.push({ botId: event.message.botId, telegramUserId: int64ToNumber(event.message.telegramUserId) });
          }
        },
      },
      observerOrm,
    );
  });

  afterAll(async () => {
    for (const replica of [...replicas]) await stop(replica);
    await observer?.stop();
    await bus?.close();
    await observerOrm?.close(true);
    await database?.drop();
  });

  it('expires each subscription once at its end with two instances of the service on one database', async () => {
    const a = replicas[0];
    const b = await startReplica();
    const bot = await newBot(a);
    const granted = [];
    for (let i = 0; i < 12; i++) granted.push(await grantEndingIn(i % 2 ? a : b, bot, 2_000));

    const rows = await waitFor('12 expiries', async () => {
      const expired = await expiredEvents(bot.botId);
      return expired.length >= 12 && expired;
    });
    // Both workers keep polling for a while after: still one expiry per member.
    await sleep(1_500);
    expect(await expiredEvents(bot.botId)).toHaveLength(12);
    expect(new Set(rows.map((r) => r.stream_id)).size).toBe(12);
    for (const { telegramUserId, endsAt } of granted) {
      const timer = await timerOf(bot.botId, telegramUserId);
      expect(Date.parse(timer.due_at)).toBe(endsAt.getTime());
      // Fired at the end, not before, and within the poll interval after.
      expect(Date.parse(timer.fired_at!)).toBeGreaterThanOrEqual(endsAt.getTime());
      expect(Date.parse(timer.fired_at!) - endsAt.getTime()).toBeLessThan(2_000);
      const access = await a.call(RPC.subscriptions.access, { botId: bot.botId, telegramUserId: String(telegramUserId) });
      expect(access.hasAccess ?? false).toBe(false);
    }
    const [accessRows] = await sql<{ open: string }>(
      `SELECT count(*)::text AS open FROM subscriptions.subscription_access WHERE bot_id = $1 AND ends_at IS NOT NULL`,
      [bot.botId],
    );
    expect(accessRows.open).toBe('0');
    await waitFor('12 published expiries', () => expiredSeen.filter((e) => e.botId === bot.botId).length >= 12);
    await sleep(300);
    expect(
      expiredSeen
        .filter((e) => e.botId === bot.botId)
        .map((e) => e.telegramUserId)
        .sort(),
    ).toEqual(granted.map((g) => g.telegramUserId).sort());
    // The workers report to the service's metrics: 12 expiries fired in all (their wallet renewal attempts are other timers).
    const firedCounts = await Promise.all([a, b].map(firedExpiries));
    expect(firedCounts[0] + firedCounts[1]).toBe(12);
    await stop(b);
  });

  it('expires a subscription that came due while the service was down when it comes back, once', async () => {
    const a = replicas[0];
    const bot = await newBot(a);
    const { telegramUserId, endsAt } = await grantEndingIn(a, bot, 1_500);
    for (const replica of [...replicas]) await stop(replica);

    await sleep(Math.max(0, endsAt.getTime() - Date.now()) + 1_000);
    expect(await expiredEvents(bot.botId)).toHaveLength(0);
    expect((await timerOf(bot.botId, telegramUserId)).fired_at).toBeNull();

    const back = await startReplica();
    await waitFor('the missed expiry', async () => (await expiredEvents(bot.botId)).length > 0);
    await sleep(1_000);
    expect(await expiredEvents(bot.botId)).toHaveLength(1);
    expect(await firedExpiries(back)).toBe(1);
    await waitFor('its publication', () => expiredSeen.some((e) => e.botId === bot.botId));
  });

  it('moves the expiry to the new end when a purchase extends the period', async () => {
    const a = replicas[0];
    const bot = await newBot(a);
    const { telegramUserId, endsAt } = await grantEndingIn(a, bot, 1_500);
    const extended = await grantEndingIn(a, bot, 1_500, telegramUserId);
    expect(extended.endsAt.getTime()).toBe(endsAt.getTime() + DAY);
    expect(Date.parse((await timerOf(bot.botId, telegramUserId)).due_at)).toBe(extended.endsAt.getTime());

    await sleep(Math.max(0, endsAt.getTime() - Date.now()) + 1_500);
    expect(await expiredEvents(bot.botId)).toHaveLength(0);
    const access = await a.call(RPC.subscriptions.access, { botId: bot.botId, telegramUserId: String(telegramUserId) });
    expect(access).toMatchObject({ hasAccess: true, until: extended.endsAt.toISOString() });
  });

  it('cancels the expiry when the subscription is revoked', async () => {
    const a = replicas[0];
    const bot = await newBot(a);
    const { telegramUserId, endsAt } = await grantEndingIn(a, bot, 1_500);
    expect(await timerOf(bot.botId, telegramUserId)).toBeDefined();
    await a.call(RPC.subscriptions.revokeSubscription, { botId: bot.botId, telegramUserId: String(telegramUserId), reason: 'refund', revokedBy: 'payments' });
    expect(await timerOf(bot.botId, telegramUserId)).toBeUndefined();

    await sleep(Math.max(0, endsAt.getTime() - Date.now()) + 1_000);
    expect(await expiredEvents(bot.botId)).toHaveLength(0);
  });
});
