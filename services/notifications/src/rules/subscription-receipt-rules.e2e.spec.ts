import { type RpcClient } from '@botplatform/bus';
import {
  BotSettingChangedSchema,
  CardTransferApprovedSchema,
  CardTransferRejectedSchema,
  RPC,
  SubscriptionReminderDueSchema,
  SubscriptionRenewalFailedSchema,
  SubscriptionStartedSchema,
  subjectOf,
  type DecodedEvent,
  type EventMetadata,
} from '@botplatform/contracts';
import { fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { type RunningService } from '@botplatform/service-kit';
import { sleep, waitFor } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { NotificationPreferences } from '../preferences/notification-preferences.js';
import { onSubscriptionsEvent } from '../recipient/on-subscriptions-event.consumer.js';
import { startRulesRig, type RulesRig } from '../testing/rules-rig.harness.js';
import type { SourceServices } from '../testing/source-services.harness.js';
import { onPaymentsEvent } from './on-payments-event.consumer.js';
import { RuleDispatcher } from './rule-dispatcher.js';

// A bot that switched the reminder and receipt rules on, and one that left them as they come (off).
const BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9d01';
const PLAIN_BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9d02';
// A bot that switched on trial_ending only.
const TRIAL_BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9d03';
// A bot in Auckland (users' `timezone` setting) with subscription_ending on.
const ZONED_BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9d04';

/**
 * The rules of the wallet renewal that failed, the end reminders (trial or not) and the reviewed card
 * transfers: each sends once in the member's language, a redelivered event sends nothing new, muting
 * `subscription` silences the renewal, the reminders and the subscriptions service's own reminder
 * send, never the receipts.
 */
describe('Subscription and card receipt rules', () => {
  let rig: RulesRig;
  let service: RunningService;
  let sources: SourceServices;
  let rpc: RpcClient;
  const at = '2026-11-30T12:00:00Z';
  const sql = <T extends object>(query: string, parameters: unknown[] = []) => rig.sql<T>(query, parameters);
  const messagesTo = (telegramUserId: number) => rig.messagesTo(telegramUserId);
  const decided = (telegramUserId: number) => rig.decided(telegramUserId);
  const member = (language: string, botId = BOT): Promise<number> => rig.member(language, botId);
  const renewalFailed = (telegramUserId: number, reason: string, nextAttemptAt: string | null, botId = BOT) => ({
    botId,
    telegramUserId: String(telegramUserId),
    planId: 'monthly',
    endsAt: '2026-12-31T12:00:00Z',
    attempt: 1,
    reason,
    failedAt: '2026-12-29T12:00:00Z',
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
  });
  const reminderDue = (telegramUserId: number, trial: boolean, daysBefore: number, botId = BOT) => ({
    botId,
    telegramUserId: String(telegramUserId),
    planId: 'monthly',
    trial,
    renewalCancelled: false,
    endsAt: '2026-12-31T12:00:00Z',
    daysBefore,
    remindedAt: new Date(Date.parse('2026-12-31T12:00:00Z') - daysBefore * 86_400_000).toISOString(),
  });
  const transfer = (telegramUserId: number, botId = BOT) => ({
    paymentId: randomUUID(),
    botId,
    telegramUserId: String(telegramUserId),
    planId: 'monthly',
    currency: 'EUR',
    amount: '499',
    trackingNumber: 42,
  });
  const endReminder = (telegramUserId: number, requestId = randomUUID(), botId = PLAIN_BOT) =>
    rpc.call(RPC.notifications.sendMessage, {
      requestId,
      botId,
      chatId: String(telegramUserId),
      text: 'Your Month plan ends in 3 days.',
      purpose: 'subscriptions:end-reminder',
    });

  beforeAll(async () => {
    rig = await startRulesRig('bp_notif_sub_receipt_rules', ['users', 'subscriptions', 'payments'], { firstUser: 9000, at });
    ({ service, sources, rpc } = rig);
    for (const rule of ['subscription_ending', 'trial_ending', 'receipt_approved', 'receipt_rejected']) {
      await rpc.call(RPC.notifications.setRuleEnabled, { botId: BOT, rule, enabled: true });
    }
    await rpc.call(RPC.notifications.setRuleEnabled, { botId: TRIAL_BOT, rule: 'trial_ending', enabled: true });
    await rpc.call(RPC.notifications.setRuleEnabled, { botId: ZONED_BOT, rule: 'subscription_ending', enabled: true });
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('tells the member once, in their language, why the renewal failed and when it is tried again', async () => {
    const ru = await member('ru');
    const en = await member('en', PLAIN_BOT);
    await sources.publish('subscriptions', SubscriptionRenewalFailedSchema, BOT, renewalFailed(ru, 'insufficient_balance', '2026-12-30T12:00:00Z'));
    // On by default: a bot that never switched it sends it too; the last attempt says when the plan ends instead.
    await sources.publish('subscriptions', SubscriptionRenewalFailedSchema, PLAIN_BOT, renewalFailed(en, 'plan_unavailable', null, PLAIN_BOT));
    const [toRu] = await waitFor('the ru message', async () => ((await messagesTo(ru)).length ? messagesTo(ru) : undefined));
    const [toEn] = await waitFor('the en message', async () => ((await messagesTo(en)).length ? messagesTo(en) : undefined));
    expect(toRu).toMatchObject({ botId: BOT, chatId: ru, purpose: 'notifications:renewal_failed' });
    expect(toRu.text).toBe(
      `⚠️ Ann${ru}, не удалось продлить подписку: на балансе недостаточно средств. Пополните его командой /balance. Следующая попытка: 2026-12-30 12:00 UTC.`,
    );
    expect(toEn.text).toBe(`⚠️ Ann${en}, we could not renew your subscription: the plan is no longer offered. Choose another in /plans. It ends on 2026-12-31.`);
  });

  it('shows the end and the next attempt in the bot’s time zone, and in UTC for a zone nobody knows', async () => {
    const setTimeZone = (valueJson: string) =>
      sources.publish('users', BotSettingChangedSchema, ZONED_BOT, {
        botId: ZONED_BOT,
        key: 'timezone',
        type: 'SETTING_TYPE_STRING',
        valueJson,
        description: 'Where the bot lives',
        changedBy: 'api:admin',
        changedAt: at,
      });
    await setTimeZone('"Pacific/Auckland"');
    await waitFor('the bot’s zone', async () =>
      (await sql<{ time_zone: string }>('SELECT time_zone FROM notifications.notification_bots WHERE bot_id = $1', [ZONED_BOT]))[0]?.time_zone ===
      'Pacific/Auckland'
        ? true
        : undefined,
    );
    const member1 = await member('en', ZONED_BOT);
    // 2026-12-31 12:00 UTC is 2027-01-01 01:00 in Auckland (UTC+13 in summer).
    await sources.publish('subscriptions', SubscriptionReminderDueSchema, ZONED_BOT, reminderDue(member1, false, 3, ZONED_BOT));
    await sources.publish(
      'subscriptions',
      SubscriptionRenewalFailedSchema,
      ZONED_BOT,
      renewalFailed(member1, 'insufficient_balance', '2026-12-30T12:00:00Z', ZONED_BOT),
    );
    const texts = await waitFor('both messages', async () => {
      const sent = await messagesTo(member1);
      return sent.length === 2 ? sent.map((m) => m.text).sort() : undefined;
    });
    expect(texts).toEqual([
      `Your subscription ends in 3 days, on 2027-01-01. Renew it in /plans to keep your access.`,
      `⚠️ Ann${member1}, we could not renew your subscription: your balance is too low. Top it up with /balance. We will try again on 2026-12-31 01:00 Pacific/Auckland.`,
    ]);

    await setTimeZone('"Mars/Olympus_Mons"');
    await waitFor('the zone dropped', async () =>
      (await sql<{ time_zone: string | null }>('SELECT time_zone FROM notifications.notification_bots WHERE bot_id = $1', [ZONED_BOT]))[0]?.time_zone === null
        ? true
        : undefined,
    );
    const member2 = await member('en', ZONED_BOT);
    await sources.publish('subscriptions', SubscriptionReminderDueSchema, ZONED_BOT, reminderDue(member2, false, 3, ZONED_BOT));
    const [reminder] = await waitFor('the UTC reminder', async () => ((await messagesTo(member2)).length ? messagesTo(member2) : undefined));
    expect(reminder.text).toBe('Your subscription ends in 3 days, on 2026-12-31. Renew it in /plans to keep your access.');
  });

  it('reminds of the end with trial_ending or subscription_ending once switched on, and sends nothing for a bot that left them off', async () => {
    const ru = await member('ru');
    const en = await member('en');
    const plain = await member('en', PLAIN_BOT);
    await sources.publish('subscriptions', SubscriptionReminderDueSchema, BOT, reminderDue(ru, false, 3));
    await sources.publish('subscriptions', SubscriptionReminderDueSchema, BOT, reminderDue(en, true, 1));
    await sources.publish('subscriptions', SubscriptionReminderDueSchema, PLAIN_BOT, reminderDue(plain, false, 3, PLAIN_BOT));
    const [toRu] = await waitFor('the ru reminder', async () => ((await messagesTo(ru)).length ? messagesTo(ru) : undefined));
    const [toEn] = await waitFor('the en reminder', async () => ((await messagesTo(en)).length ? messagesTo(en) : undefined));
    expect(toRu).toMatchObject({ purpose: 'notifications:subscription_ending' });
    expect(toRu.text).toBe('Ваша подписка закончится через 3 дня, 2026-12-31. Продлите её в /plans, чтобы сохранить доступ.');
    expect(toEn).toMatchObject({ purpose: 'notifications:trial_ending' });
    expect(toEn.text).toBe('Your free trial ends in 1 day, on 2026-12-31. Choose a plan in /plans to keep your access.');
    await waitFor('the plain bot’s decision', async () => ((await decided(plain)).length ? true : undefined));
    expect(await decided(plain)).toEqual([{ rule: 'subscription_ending', outcome: 'rule_off' }]);
    expect(await messagesTo(plain)).toEqual([]);
  });

  it('tells the member of the reviewed receipt once, in their language, approved or rejected with the reason', async () => {
    const ru = await member('ru');
    const en = await member('en');
    const plain = await member('en', PLAIN_BOT);
    await sources.publish('payments', CardTransferApprovedSchema, BOT, { ...transfer(ru), approvedAt: at });
    await sources.publish('payments', CardTransferRejectedSchema, BOT, { ...transfer(en), reason: 'No such transfer arrived', rejectedAt: at });
    // Off as it comes: the payments service's review already tells the member.
    await sources.publish('payments', CardTransferApprovedSchema, PLAIN_BOT, { ...transfer(plain, PLAIN_BOT), approvedAt: at });
    const [toRu] = await waitFor('the ru receipt', async () => ((await messagesTo(ru)).length ? messagesTo(ru) : undefined));
    const [toEn] = await waitFor('the en receipt', async () => ((await messagesTo(en)).length ? messagesTo(en) : undefined));
    expect(toRu).toMatchObject({ purpose: 'notifications:receipt_approved' });
    expect(toRu.text).toBe(`✅ Ann${ru}, ваш перевод C-0042 на 4.99 EUR подтверждён. Спасибо!`);
    expect(toEn).toMatchObject({ purpose: 'notifications:receipt_rejected' });
    expect(toEn.text).toBe(`❌ Ann${en}, your card transfer C-0042 of 4.99 EUR was not confirmed: No such transfer arrived`);
    await waitFor('the plain bot’s decision', async () => ((await decided(plain)).length ? true : undefined));
    expect(await decided(plain)).toEqual([{ rule: 'receipt_approved', outcome: 'rule_off' }]);
    expect(await messagesTo(plain)).toEqual([]);
  });

  it('sends nothing new when a renewal failure, a reminder or a receipt is delivered again, even past the bus’s inbox and at once', async () => {
    const telegramUserId = await member('en');
    const failed = renewalFailed(telegramUserId, 'payments_unavailable', '2026-12-30T12:00:00Z');
    const due = reminderDue(telegramUserId, false, 7);
    const approved = { ...transfer(telegramUserId), approvedAt: at };
    const failedId = await sources.publish('subscriptions', SubscriptionRenewalFailedSchema, BOT, failed);
    const dueId = await sources.publish('subscriptions', SubscriptionReminderDueSchema, BOT, due);
    const approvedId = await sources.publish('payments', CardTransferApprovedSchema, BOT, approved);
    await waitFor('three messages', async () => ((await messagesTo(telegramUserId)).length === 3 ? true : undefined));

    const dispatcher = new RuleDispatcher(service.dependencies.store);
    const subscriptionsConsumer = onSubscriptionsEvent(dispatcher);
    const paymentsConsumer = onPaymentsEvent(dispatcher);
    const again = [
      [subscriptionsConsumer, decoded(SubscriptionRenewalFailedSchema, failedId, BOT, failed)],
      [subscriptionsConsumer, decoded(SubscriptionReminderDueSchema, dueId, BOT, due)],
      [paymentsConsumer, decoded(CardTransferApprovedSchema, approvedId, BOT, approved)],
    ] as const;
    await Promise.allSettled(
      again.flatMap(([consumer, event]) =>
        [0, 1, 2].map(() =>
          service.dependencies.orm.em.fork().transactional((em) => consumer.handle!(event as DecodedEvent, { em, attempt: 2, afterCommit: () => {} })),
        ),
      ),
    );
    await sleep(200);
    const messages = await messagesTo(telegramUserId);
    expect(messages.map((message) => message.purpose).sort()).toEqual([
      'notifications:receipt_approved',
      'notifications:renewal_failed',
      'notifications:subscription_ending',
    ]);
    expect(messages.find((message) => message.purpose === 'notifications:renewal_failed')!.text).toBe(
      `⚠️ Ann${telegramUserId}, we could not renew your subscription: payments are unavailable right now. We will try again on 2026-12-30 12:00 UTC.`,
    );
    expect((await decided(telegramUserId)).map((row) => row.outcome)).toEqual(['requested', 'requested', 'requested']);
  });

  it('muting `subscription` silences the renewal failure, the reminder rules and the subscriptions service’s own reminder, never the receipts', async () => {
    const muted = await member('en');
    const mutedPlain = await member('en', PLAIN_BOT);
    const listening = await member('ru', PLAIN_BOT);
    const preferences = service.app.get(NotificationPreferences);
    await preferences.setMuted(BOT, muted, 'subscription', true);
    await preferences.setMuted(PLAIN_BOT, mutedPlain, 'subscription', true);

    // The subscriptions service's own reminder: recorded as muted, not sent; asked again, the same answer.
    const requestId = randomUUID();
    expect(await endReminder(mutedPlain, requestId)).toEqual({ requestId, accepted: false, muted: true, superseded: false });
    expect(await endReminder(mutedPlain, requestId)).toEqual({ requestId, accepted: false, muted: true, superseded: false });
    expect(await sql('SELECT purpose, outcome, category FROM notifications.notification_withheld_sends WHERE telegram_user_id = $1', [mutedPlain])).toEqual([
      { purpose: 'subscriptions:end-reminder', outcome: 'muted', category: 'subscription' },
    ]);
    expect(await messagesTo(mutedPlain)).toEqual([]);
    // To a member who did not mute it, it goes as before, once per request id.
    const heard = randomUUID();
    expect(await endReminder(listening, heard)).toEqual({ requestId: heard, accepted: true, muted: false, superseded: false });
    expect(await endReminder(listening, heard)).toEqual({ requestId: heard, accepted: false, muted: false, superseded: false });
    expect((await messagesTo(listening)).map((message) => message.text)).toEqual(['Your Month plan ends in 3 days.']);

    await sources.publish('subscriptions', SubscriptionRenewalFailedSchema, BOT, renewalFailed(muted, 'insufficient_balance', '2026-12-30T12:00:00Z'));
    await sources.publish('subscriptions', SubscriptionReminderDueSchema, BOT, reminderDue(muted, true, 3));
    await sources.publish('payments', CardTransferApprovedSchema, BOT, { ...transfer(muted), approvedAt: at });
    await sources.publish('payments', CardTransferRejectedSchema, BOT, { ...transfer(muted), reason: 'Wrong amount', rejectedAt: at });
    await waitFor('four decisions', async () => ((await decided(muted)).length === 4 ? true : undefined));
    expect(await decided(muted)).toEqual(
      expect.arrayContaining([
        { rule: 'renewal_failed', outcome: 'muted' },
        { rule: 'trial_ending', outcome: 'muted' },
        { rule: 'receipt_approved', outcome: 'requested' },
        { rule: 'receipt_rejected', outcome: 'requested' },
      ]),
    );
    expect((await messagesTo(muted)).map((message) => message.purpose).sort()).toEqual(['notifications:receipt_approved', 'notifications:receipt_rejected']);

    // Unmuted, the service's reminders reach the member again.
    await preferences.setMuted(PLAIN_BOT, mutedPlain, 'subscription', false);
    const later = randomUUID();
    expect(await endReminder(mutedPlain, later)).toEqual({ requestId: later, accepted: true, muted: false, superseded: false });
  });

  it('withholds the subscriptions service’s own reminder as superseded where the bot’s reminder rule for the member’s plan is on', async () => {
    // BOT has both reminder rules on: its rule words the reminder, the service's own is not sent.
    const ruled = await member('en');
    const id = randomUUID();
    expect(await endReminder(ruled, id, BOT)).toEqual({ requestId: id, accepted: false, muted: false, superseded: true });
    expect(await endReminder(ruled, id, BOT)).toEqual({ requestId: id, accepted: false, muted: false, superseded: true });
    expect(await messagesTo(ruled)).toEqual([]);

    // TRIAL_BOT switched on trial_ending only: a member on a trial gets the rule's, one on a paid plan the service's own.
    const onTrial = await member('en', TRIAL_BOT);
    const paying = await member('en', TRIAL_BOT);
    const started = (telegramUserId: number, trial: boolean) =>
      sources.publish('subscriptions', SubscriptionStartedSchema, TRIAL_BOT, {
        botId: TRIAL_BOT,
        telegramUserId: String(telegramUserId),
        planId: 'monthly',
        source: trial ? 'SUBSCRIPTION_SOURCE_TRIAL' : 'SUBSCRIPTION_SOURCE_PAYMENT',
        trial,
        startedAt: '2026-12-01T12:00:00Z',
        endsAt: '2026-12-31T12:00:00Z',
      });
    await started(onTrial, true);
    await started(paying, false);
    await waitFor('both plans', async () =>
      (await sql('SELECT 1 FROM notifications.notification_recipients WHERE bot_id = $1 AND plan_id IS NOT NULL', [TRIAL_BOT])).length === 2 ? true : undefined,
    );
    const [trialId, paidId] = [randomUUID(), randomUUID()];
    expect(await endReminder(onTrial, trialId, TRIAL_BOT)).toEqual({ requestId: trialId, accepted: false, muted: false, superseded: true });
    expect(await endReminder(paying, paidId, TRIAL_BOT)).toEqual({ requestId: paidId, accepted: true, muted: false, superseded: false });
    const reminders = async (telegramUserId: number) =>
      (await messagesTo(telegramUserId)).filter((message) => message.purpose !== 'notifications:subscription_started');
    expect((await reminders(paying)).map((message) => message.purpose)).toEqual(['subscriptions:end-reminder']);
    expect(await reminders(onTrial)).toEqual([]);
    // The trial's reminder comes from the rule, from the same reminder_due event.
    await sources.publish('subscriptions', SubscriptionReminderDueSchema, TRIAL_BOT, reminderDue(onTrial, true, 3, TRIAL_BOT));
    const [fromRule] = await waitFor('the rule’s reminder', async () => ((await reminders(onTrial)).length ? reminders(onTrial) : undefined));
    expect(fromRule).toMatchObject({
      purpose: 'notifications:trial_ending',
      text: 'Your free trial ends in 3 days, on 2026-12-31. Choose a plan in /plans to keep your access.',
    });
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
