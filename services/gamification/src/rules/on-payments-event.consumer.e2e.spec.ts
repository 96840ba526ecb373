import type { ConsumerDefinition, EventConsumerDefinition } from '@botplatform/bus';
import {
  BotAddedToGroupSchema,
  PaymentCompletedSchema,
  RPC,
  ReferralJoinedSchema,
  subjectOf,
  type DecodedEvent,
  type EventMetadata,
} from '@botplatform/contracts';
import { fromJson } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { onBotGroupChanged } from '../bot-group/on-bot-group-changed.consumer.js';
import { groupLevelStreamId } from '../member/group-level.decider.js';
import { memberStreamId } from '../member/member.decider.js';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';
import { onPaymentsEvent } from './on-payments-event.consumer.js';

const T0 = new Date('2026-11-30T10:00:00.000Z');

/** payments.payment.completed as the consumer receives it, with the given event id. */
function paymentCompleted(eventId: string, botId: string, telegramUserId: string): DecodedEvent<typeof PaymentCompletedSchema> {
  const envelope = {
    eventId,
    type: PaymentCompletedSchema.typeName,
    schemaVersion: 1,
    botId,
    streamId: `payment-${eventId}`,
    streamPosition: 2n,
    correlationId: randomUUID(),
    actor: { kind: 'system', id: 'test' },
    occurredAt: new Date(),
  } as unknown as EventMetadata;
  const message = fromJson(PaymentCompletedSchema, {
    paymentId: randomUUID(),
    botId,
    telegramUserId,
    planId: 'month',
    currency: 'XTR',
    amount: '250',
    chargeId: `charge-${eventId}`,
    completedAt: T0.toISOString(),
  });
  return { envelope, subject: subjectOf(PaymentCompletedSchema), schema: PaymentCompletedSchema, message };
}

/** payments.referral.joined as the consumer receives it, with the given event id. */
function referralJoined(eventId: string, botId: string, referred: string, referrer: string): DecodedEvent<typeof ReferralJoinedSchema> {
  const envelope = { eventId, type: ReferralJoinedSchema.typeName, schemaVersion: 1, botId, occurredAt: new Date() } as unknown as EventMetadata;
  const message = fromJson(ReferralJoinedSchema, { botId, referredTelegramUserId: referred, referrerTelegramUserId: referrer, joinedAt: T0.toISOString() });
  return { envelope, subject: subjectOf(ReferralJoinedSchema), schema: ReferralJoinedSchema, message };
}

/** users.bot_group.bot_added as the bot groups' consumer receives it. */
function botAdded(groupId: string, botId: string, botName: string): DecodedEvent<typeof BotAddedToGroupSchema> {
  const envelope = { eventId: randomUUID(), type: BotAddedToGroupSchema.typeName, schemaVersion: 1, botId, occurredAt: new Date() } as unknown as EventMetadata;
  const message = fromJson(BotAddedToGroupSchema, { groupId, botId, ownerTelegramUserId: '77', addedAt: T0.toISOString(), botName });
  return { envelope, subject: subjectOf(BotAddedToGroupSchema), schema: BotAddedToGroupSchema, message };
}

/**
 * The payment rule: the consumer the service runs on payments' stream, handed the same event again as a
 * redelivery does (also past the inbox, as after a crash between the award and the inbox row).
 */
describe('XP for a completed payment', () => {
  let t: GamificationTestService;
  let consumer: EventConsumerDefinition;
  let nextMember = 12_000;
  const member = () => String(nextMember++);

  const deliver = async (event: DecodedEvent) => {
    const em = t.service.dependencies.orm.em.fork();
    await em.transactional((tx) => consumer.handle(event, { em: tx, attempt: 1, afterCommit: () => undefined } as never));
  };
  const awards = async (botId: string, telegramUserId: string) =>
    (await t.streamEvents(memberStreamId({ kind: 'bot', botId }, Number(telegramUserId))))
      .filter((event) => event.type === 'XpAwarded')
      .map((event) => (event.data as { sourceId: string }).sourceId);

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_payment_rule', T0);
    consumer = onPaymentsEvent(t.service.dependencies) as ConsumerDefinition as EventConsumerDefinition;
  });

  afterAll(async () => {
    await t?.close();
  });

  it("follows payments' completed payments and referrals under its own durable name", () => {
    expect(consumer).toMatchObject({
      name: 'gamification--payments',
      source: 'payments',
      subjects: [subjectOf(PaymentCompletedSchema), subjectOf(ReferralJoinedSchema)],
    });
  });

  it("awards the referrer the bot's referral XP once per member who joined through their link", async () => {
    const botId = randomUUID();
    await t.call(RPC.gamification.setXpRules, {
      botId,
      rules: { activityFixedXp: 0, activityXpPerPoint: 0, streakDayXp: 0, paymentCompletedXp: 0, referralJoinedXp: 30 },
    });
    const [referrer, first, second] = [member(), member(), member()];
    const joined = referralJoined(randomUUID(), botId, first, referrer);
    for (let i = 0; i < 4; i++) await deliver(joined);
    await deliver(referralJoined(randomUUID(), botId, second, referrer));
    expect((await t.call(RPC.gamification.getProfile, { botId, telegramUserId: referrer })).totalXp).toBe('60');
    expect(await awards(botId, first)).toEqual([]);
    expect(await awards(botId, referrer)).toHaveLength(2);
    // A bot whose rules predate the referral figure, or set it to 0, awards nothing for it.
    const other = randomUUID();
    await t.call(RPC.gamification.setXpRules, { botId: other, rules: { activityFixedXp: 0, activityXpPerPoint: 0, streakDayXp: 0, paymentCompletedXp: 10 } });
    await deliver(referralJoined(randomUUID(), other, member(), referrer));
    expect(await awards(other, referrer)).toEqual([]);
  });

  // One instance runs a durable consumer (ADR 0006), so its deliveries come one at a time.
  it("awards the bot's payment XP once per event, however often it is delivered", async () => {
    const botId = randomUUID();
    await t.call(RPC.gamification.setXpRules, { botId, rules: { activityFixedXp: 0, activityXpPerPoint: 0, streakDayXp: 0, paymentCompletedXp: 50 } });
    const who = member();
    const event = paymentCompleted(randomUUID(), botId, who);
    await deliver(event);
    await deliver(event);
    for (let i = 0; i < 5; i++) await deliver(event);
    expect((await t.call(RPC.gamification.getProfile, { botId, telegramUserId: who })).totalXp).toBe('50');
    expect(await awards(botId, who)).toEqual([`payment:${event.envelope.eventId}`]);

    // Another payment is another award.
    await deliver(paymentCompleted(randomUUID(), botId, who));
    expect((await t.call(RPC.gamification.getProfile, { botId, telegramUserId: who })).totalXp).toBe('100');
    // Counted in the bot's current week and month too, once each.
    const periods = await t.service.dependencies.orm.em
      .fork()
      .getConnection()
      .execute<{ kind: string; xp: string }[]>('SELECT kind, xp::text FROM gamification.period_xp WHERE bot_id = ? AND telegram_user_id = ? ORDER BY kind', [
        botId,
        who,
      ]);
    expect(periods).toEqual([
      { kind: 'month', xp: '100' },
      { kind: 'week', xp: '100' },
    ]);
  });

  it("raises the member's group level once when a payment's XP in one bot crosses it with XP from another", async () => {
    const [botA, botB, groupId] = [randomUUID(), randomUUID(), randomUUID()];
    const levels = [
      { level: 1, minXp: '0' },
      { level: 2, minXp: '100' },
    ];
    for (const [botId, name] of [
      [botA, 'SPIN'],
      [botB, 'Quiz'],
    ]) {
      await t.call(RPC.gamification.configureLevels, { botId, levels });
      const em = t.service.dependencies.orm.em.fork();
      await em.transactional((tx) => (onBotGroupChanged as EventConsumerDefinition).handle(botAdded(groupId, botId, name), { em: tx, attempt: 1 } as never));
    }
    await t.call(RPC.gamification.setXpRules, { botId: botA, rules: { activityFixedXp: 0, activityXpPerPoint: 0, streakDayXp: 0, paymentCompletedXp: 60 } });
    const who = member();
    expect(await t.call(RPC.gamification.award, { botId: botB, telegramUserId: who, amount: 60, reason: 'quiz', sourceId: 'q-1' })).toMatchObject({
      groupLevel: 1,
    });
    const event = paymentCompleted(randomUUID(), botA, who);
    await deliver(event);
    await deliver(event);
    const reached = (await t.streamEvents(groupLevelStreamId(groupId, Number(who)))).map((e) => [e.type, (e.data as { from: number; to: number }).to]);
    expect(reached).toEqual([['GroupLevelReached', 2]]);
    expect((await t.call(RPC.gamification.getProfile, { botId: botB, telegramUserId: who })).level).toBe(2);
  });

  it('awards nothing in a bot without a payment rule', async () => {
    const botId = randomUUID();
    const who = member();
    await deliver(paymentCompleted(randomUUID(), botId, who));
    expect(await awards(botId, who)).toEqual([]);
  });
});
