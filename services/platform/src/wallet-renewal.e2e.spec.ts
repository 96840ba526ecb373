import type { FeatureTestKit, KitBot } from '@botplatform/bot-kit';
import type { RpcClient } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { DueTimer } from '@botplatform/scheduler';
import type { RunningService } from '@botplatform/service-kit';
import { Clock, RenewFromWalletUseCase, type RenewalTimerPayload } from '@botplatform/subscriptions';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';

/** The wall clock moved by an offset: the subscriptions service's time, sent to a renewal's or an expiry's moment. */
class ShiftedClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  shiftTo(at: number): void {
    this.offsetMs = at - Date.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

const MONTH: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: 'Premium for a month' },
    { language: 'ru', name: 'Месяц', description: 'Премиум на месяц' },
  ],
  periodDays: 30,
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  active: true,
  sortOrder: 1,
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIMERS = 'subscriptions.scheduled_timers';

/**
 * Auto-renewal from the wallet with subscriptions and payments as the platform runs them (one database,
 * one in-process broker): the renewal timer charges the period's price once under its renewal key and
 * extends the period from its end; a low balance is retried on the schedule and the period then expires
 * with the reason; a cancelled renewal or a Stars subscription is never charged. Time passes by moving
 * the service's clock and the member's due timers together (the database's clock fires them).
 */
describe('Auto-renewal from the wallet', () => {
  const clock = new ShiftedClock();
  let harness: ShopHarness | undefined;
  let subscriptions: RunningService;
  let payments: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let shop: KitBot;
  let planId: string;
  let member = 7_300_000;

  const sql = <T>(service: RunningService, query: string, params: unknown[] = []) => service.dependencies.orm.em.getConnection().execute<T[]>(query, params);
  const streamOf = (user: number) => `subscription-${shop.botId}-${user}`;
  const eventsOf = async (user: number) => (await subscriptions.dependencies.store.readStream(streamOf(user))).events as RecordedEvent[];
  const typesOf = async (user: number) => (await eventsOf(user)).map((event) => event.type);
  const topUp = (user: number, amount: string) =>
    rpc.call(RPC.payments.topUpWallet, {
      botId: shop.botId,
      telegramUserId: String(user),
      currency: 'XTR',
      amount,
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
  const balanceOf = async (user: number) =>
    (await rpc.call(RPC.payments.getWalletBalance, { botId: shop.botId, telegramUserId: String(user) })).balances?.find((b) => b.currency === 'XTR')?.amount ??
    '0';
  const paymentsOf = (user: number) =>
    sql<{ status: string; amount: string; provider: string }>(
      payments,
      'SELECT status, amount::text AS amount, provider FROM payments.payments WHERE bot_id = ? AND telegram_user_id = ? ORDER BY created_at',
      [shop.botId, user],
    );
  /** A member bought the month now (the service's clock back on the wall's): the period ends 30 days from now. */
  const buy = async (user: number, extra: { starsSubscription?: boolean } = {}) => {
    clock.reset();
    const reply = await rpc.call(RPC.subscriptions.grantSubscription, {
      grantId: `test:${randomUUID()}`,
      botId: shop.botId,
      telegramUserId: String(user),
      planId,
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      grantedBy: 'payments',
      ...extra,
    });
    return Date.parse(reply.subscription!.endsAt!);
  };
  const settle = async (until: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!(await until())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** The member's expiry and renewal timers due by `at` are made due now, the service's clock set to `at`; then they are fired. */
  const travelTo = async (user: number, at: number) => {
    clock.shiftTo(at);
    const key = `${shop.botId}:${user}`;
    const mine = `(key = ? OR key LIKE ?) AND kind IN ('subscription-renewal', 'subscription-expiry')`;
    await sql(subscriptions, `UPDATE ${TIMERS} SET due_at = now() WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= ? AND ${mine}`, [
      new Date(at).toISOString(),
      key,
      `${key}:%`,
    ]);
    await settle(
      async () => {
        const [row] = await sql<{ n: number }>(
          subscriptions,
          `SELECT count(*)::int AS n FROM ${TIMERS} WHERE fired_at IS NULL AND parked_at IS NULL AND due_at <= now() AND ${mine}`,
          [key, `${key}:%`],
        );
        return row!.n === 0;
      },
      `the timers of ${user} due by ${new Date(at).toISOString()}`,
    );
  };
  const renewalTimersOf = (user: number) =>
    sql<{ key: string; dueAt: number; fired: boolean }>(
      subscriptions,
      `SELECT key, (extract(epoch FROM due_at) * 1000)::float8 AS "dueAt", fired_at IS NOT NULL AS fired FROM ${TIMERS} WHERE kind = 'subscription-renewal' AND key LIKE ? ORDER BY due_at`,
      [`${shop.botId}:${user}:%`],
    );

  beforeAll(async () => {
    harness = await startShopHarness('bp_wallet_renewal', { subscriptionsClock: clock });
    ({ subscriptions, payments, rpc, kit, shop } = harness);
    planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId: shop.botId, plan: MONTH });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('renews 24 h before the end from the wallet: charged once, extended once from the end, the next period armed', async () => {
    const annUser = kit.user('Anna', 'en');
    const anna = annUser.id;
    const endsAt = await buy(anna);
    await topUp(anna, '600');
    const [first] = await renewalTimersOf(anna);
    expect(first!.dueAt).toBe(endsAt - DAY);
    await travelTo(anna, endsAt - DAY + 1_000);
    await settle(async () => (await typesOf(anna)).includes('SubscriptionExtended'), 'the renewal');
    expect(await typesOf(anna)).toEqual(['SubscriptionStarted', 'SubscriptionExtended']);
    const extended = (await eventsOf(anna))[1]!.data as { previousEndsAt: string; endsAt: string; grantId: string; renewal?: boolean };
    expect(Date.parse(extended.previousEndsAt)).toBe(endsAt);
    expect(Date.parse(extended.endsAt)).toBe(endsAt + 30 * DAY);
    expect(extended.grantId).toBe(`renewal:${streamOf(anna)}:${new Date(endsAt).toISOString()}`);
    expect(extended.renewal).toBe(true);
    expect(await balanceOf(anna)).toBe('350');
    expect(await paymentsOf(anna)).toEqual([{ status: 'completed', amount: '250', provider: 'wallet' }]);
    // Payments grants nothing for a renewal's charge: no grant check of its own that would extend it again.
    expect(
      await sql(
        payments,
        `SELECT key FROM payments.scheduled_timers WHERE kind = 'payments.wallet-grant' AND payload->>'paymentId' IN (SELECT payment_id::text FROM payments.payments WHERE telegram_user_id = ?)`,
        [anna],
      ),
    ).toEqual([]);
    // The next period's first attempt is armed 24 h before its new end.
    const timers = await renewalTimersOf(anna);
    expect(timers.map((t) => t.fired)).toEqual([true, false]);
    expect(timers[1]!.dueAt).toBe(endsAt + 30 * DAY - DAY);
    // /subscription says it is renewed from the wallet, and when it is tried next.
    clock.reset();
    const chat = shop.chat(annUser);
    const status = chat.waitForMessage((message) => (message.text ?? '').includes('Plan: Month'));
    chat.sendCommand('subscription');
    const nextAttempt = new Date(endsAt + 29 * DAY).toISOString().slice(0, 16).replace('T', ' ');
    expect((await status).text).toContain(`Renewal: on, from your wallet. Next attempt: ${nextAttempt} (UTC)`);
    expect(kit.errors).toEqual([]);
  });

  it('charges and extends once when one attempt runs on two replicas at once, and again after a crash between the charge and the extension', async () => {
    const boris = ++member;
    const endsAt = await buy(boris);
    await topUp(boris, '600');
    clock.shiftTo(endsAt - DAY + 1_000);
    const renewal = subscriptions.app.get(RenewFromWalletUseCase);
    const [armed] = await renewalTimersOf(boris);
    const timer: DueTimer<RenewalTimerPayload> = {
      id: '0',
      kind: renewal.kind,
      key: armed!.key,
      dueAt: new Date(endsAt - DAY),
      payload: { botId: shop.botId, telegramUserId: boris, endsAt: new Date(endsAt).toISOString(), attempt: 1 },
      attempt: 1,
    };
    // The handler the worker runs, by two "replicas" at once, each in a transaction of its own.
    const fire = () => subscriptions.dependencies.orm.em.fork().transactional((em) => renewal.handle(timer, { em }));
    await Promise.all([fire(), fire()]);
    // …and the timer itself, fired by the worker afterwards (a redelivery).
    await travelTo(boris, endsAt - DAY + 2_000);
    expect(await typesOf(boris)).toEqual(['SubscriptionStarted', 'SubscriptionExtended']);
    expect(await balanceOf(boris)).toBe('350');
    expect(await paymentsOf(boris)).toEqual([{ status: 'completed', amount: '250', provider: 'wallet' }]);

    // Crash between the charge and the extension: payments charged the key, subscriptions' transaction was lost.
    const cyril = ++member;
    const cyrilEnds = await buy(cyril);
    await topUp(cyril, '300');
    const key = `renewal:${streamOf(cyril)}:${new Date(cyrilEnds).toISOString()}`;
    const charged = await rpc.call(RPC.payments.renewFromWallet, { botId: shop.botId, telegramUserId: String(cyril), planId, renewalKey: key });
    expect(charged.chargedNow).toBe(true);
    expect(await balanceOf(cyril)).toBe('50');
    await travelTo(cyril, cyrilEnds - DAY + 1_000);
    expect(await typesOf(cyril)).toEqual(['SubscriptionStarted', 'SubscriptionExtended']);
    expect(await balanceOf(cyril)).toBe('50');
    expect(await paymentsOf(cyril)).toEqual([{ status: 'completed', amount: '250', provider: 'wallet' }]);
    const again = await rpc.call(RPC.payments.renewFromWallet, { botId: shop.botId, telegramUserId: String(cyril), planId, renewalKey: key });
    expect(again.chargedNow).toBe(false);
    expect(again.payment?.paymentId).toBe(charged.payment?.paymentId);
    expect(await balanceOf(cyril)).toBe('50');
  });

  it('payments takes a renewal key once: five calls at once, then a key refused for the balance is charged once after a top-up', async () => {
    const gil = ++member;
    await topUp(gil, '600');
    const renew = (key: string) => rpc.call(RPC.payments.renewFromWallet, { botId: shop.botId, telegramUserId: String(gil), planId, renewalKey: key });
    const replies = await Promise.all(Array.from({ length: 5 }, () => renew('renewal:key-one')));
    expect(replies.filter((reply) => reply.chargedNow)).toHaveLength(1);
    expect(new Set(replies.map((reply) => reply.payment?.paymentId)).size).toBe(1);
    expect(await balanceOf(gil)).toBe('350');

    await renew('renewal:key-two');
    expect(await balanceOf(gil)).toBe('100');
    const refused = await renew('renewal:key-three').then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    expect(refused).toBe('PAYMENTS.INSUFFICIENT_BALANCE');
    expect(await balanceOf(gil)).toBe('100');
    await topUp(gil, '150');
    const retried = await renew('renewal:key-three');
    expect(retried.chargedNow).toBe(true);
    expect((await renew('renewal:key-three')).chargedNow).toBe(false);
    expect(await balanceOf(gil)).toBe('0');
    expect((await paymentsOf(gil)).map((p) => p.status)).toEqual(['completed', 'completed', 'completed']);
    // Another member's call with the same key is another payment: the key is the member's and the bot's.
    const other = ++member;
    await topUp(other, '250');
    const theirs = await rpc.call(RPC.payments.renewFromWallet, { botId: shop.botId, telegramUserId: String(other), planId, renewalKey: 'renewal:key-one' });
    expect(theirs.chargedNow).toBe(true);
    expect(theirs.payment?.paymentId).not.toBe(replies[0]!.payment?.paymentId);
  });

  it('retries a balance too low at +1 h, +6 h and 10 minutes before the end, charges nothing, then expires the period saying why', async () => {
    const doraUser = kit.user('Дора', 'ru');
    const dora = doraUser.id;
    const endsAt = await buy(dora);
    await topUp(dora, '100');
    const failures = async () =>
      (await eventsOf(dora))
        .filter((event) => event.type === 'RenewalAttemptFailed')
        .map((event) => {
          const data = event.data as { attempt: number; reason: string; failedAt: string; nextAttemptAt: string | null };
          const next = data.nextAttemptAt === null ? null : Date.parse(data.nextAttemptAt);
          return { attempt: data.attempt, reason: data.reason, next, after: next === null ? null : next - Date.parse(data.failedAt) };
        });
    let at = endsAt - DAY + 1_000;
    for (const attempt of [1, 2, 3, 4]) {
      await travelTo(dora, at);
      await settle(async () => (await failures()).length === attempt, `failed attempt ${attempt}`);
      const last = (await eventsOf(dora)).at(-1)!.data as { nextAttemptAt: string | null };
      if (last.nextAttemptAt) at = Date.parse(last.nextAttemptAt) + 1_000;
      if (attempt === 1) {
        // /subscription in the member's language: the next attempt and why the last one failed.
        const chat = shop.chat(doraUser);
        const status = chat.waitForMessage((message) => (message.text ?? '').includes('Тариф: Месяц'));
        chat.sendCommand('subscription');
        const next = new Date(at - 1_000).toISOString().slice(0, 16).replace('T', ' ');
        expect((await status).text).toContain(
          `Продление: включено, с вашего кошелька. Следующая попытка: ${next} (UTC)\nПоследняя попытка продления не удалась: на кошельке недостаточно средств (пополните его в /balance)`,
        );
      }
    }
    const recorded = await failures();
    expect(recorded.map((f) => [f.attempt, f.reason])).toEqual([
      [1, 'insufficient_balance'],
      [2, 'insufficient_balance'],
      [3, 'insufficient_balance'],
      [4, 'insufficient_balance'],
    ]);
    expect(recorded[0]!.after).toBe(HOUR);
    expect(recorded[1]!.after).toBe(6 * HOUR);
    // The third retry is the final one, 10 minutes before the end; none after it.
    expect(recorded[2]!.next).toBe(endsAt - 10 * 60_000);
    expect(recorded[3]!.next).toBeNull();
    await travelTo(dora, endsAt + 1_000);
    await settle(async () => (await typesOf(dora)).includes('SubscriptionExpired'), 'the expiry');
    const expired = (await eventsOf(dora)).at(-1)!;
    expect(expired.type).toBe('SubscriptionExpired');
    expect((expired.data as { reason?: string }).reason).toBe('insufficient_balance');
    expect(await balanceOf(dora)).toBe('100');
    expect((await paymentsOf(dora)).filter((p) => p.status === 'completed')).toEqual([]);
    // /subscription is the plans now; the member has no access.
    const access = await rpc.call(RPC.subscriptions.access, { botId: shop.botId, telegramUserId: String(dora) });
    expect(access.hasAccess ?? false).toBe(false);
  });

  it('tries nothing for a cancelled renewal nor for a Stars subscription, whatever the wallet holds', async () => {
    const emil = ++member;
    const endsAt = await buy(emil);
    await topUp(emil, '600');
    await rpc.call(RPC.subscriptions.cancelRenewal, { botId: shop.botId, telegramUserId: String(emil) });
    await travelTo(emil, endsAt - DAY + 1_000);
    await travelTo(emil, endsAt + 1_000);
    expect(await typesOf(emil)).toEqual(['SubscriptionStarted', 'RenewalCancelled', 'SubscriptionExpired']);
    expect(((await eventsOf(emil)).at(-1)!.data as { reason?: string }).reason).toBe('renewal_cancelled');
    expect(await balanceOf(emil)).toBe('600');
    expect(await paymentsOf(emil)).toEqual([]);

    const fiona = ++member;
    await buy(fiona, { starsSubscription: true });
    await topUp(fiona, '600');
    // Telegram renews it: no wallet attempt is even armed.
    expect(await renewalTimersOf(fiona)).toEqual([]);
    expect(await balanceOf(fiona)).toBe('600');
  });
});
