import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import type { EventConsumerDefinition } from '@botplatform/bus';
import { BotAddedToGroupSchema, RPC, subjectOf, type DecodedEvent, type EventMetadata } from '@botplatform/contracts';
import { fromJson } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { onBotGroupChanged } from '../bot-group/on-bot-group-changed.consumer.js';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';

/** Auckland is UTC+13 in December: its Monday 2026-12-07 00:00 is Sunday 2026-12-06 11:00 UTC (period-boards.e2e.spec.ts). */
const ZONE = 'Pacific/Auckland';
const DEC_6_2330 = '2026-12-06T10:30:00.000Z'; // Sunday 6 Dec 23:30 in Auckland: the week of 30 Nov, December
const DEC_7_0030 = '2026-12-06T11:30:00.000Z'; // Monday 7 Dec 00:30 in Auckland: a new week (UTC: still Sunday)

const ANN = '7200000001';
const BOB = '7200000002';
const CAT = '7200000003';
const DAN = '7200000004';
const EVE = '7200000005';
const FAY = '7200000006';

type Entry = { rank?: string; telegramUserId?: string; score?: string };
const rows = (entries: readonly Entry[] | undefined) => (entries ?? []).map((entry) => [entry.telegramUserId, entry.score, entry.rank]);
const startsWith = (prefix: string) => (message: Message) => message.text?.startsWith(prefix) ?? false;

/** users.bot_group.bot_added as the bot groups' consumer receives it. */
function botAdded(groupId: string, botId: string, botName: string, owner: string): DecodedEvent<typeof BotAddedToGroupSchema> {
  const envelope = { eventId: randomUUID(), type: BotAddedToGroupSchema.typeName, schemaVersion: 1, botId, occurredAt: new Date() } as unknown as EventMetadata;
  const message = fromJson(BotAddedToGroupSchema, { groupId, botId, ownerTelegramUserId: owner, addedAt: new Date().toISOString(), botName });
  return { envelope, subject: subjectOf(BotAddedToGroupSchema), schema: BotAddedToGroupSchema, message };
}

/** Boards by an activity's best or total score, and group boards per period (ADR 0015), through get-leaderboard and /top. */
describe("Boards by an activity's score, and group boards per period", () => {
  let t: GamificationTestService;
  let kit: FeatureTestKit;
  let bot: KitBot;

  const record = (botId: string, telegramUserId: string, type: string, score: number | null, id: string = randomUUID(), occurredAt?: string) =>
    t.call(RPC.gamification.recordActivity, {
      botId,
      telegramUserId,
      activity: { id, type, ...(score === null ? {} : { score: String(score) }) },
      ...(occurredAt ? { occurredAt } : {}),
    });
  const scores = (
    metric: 'activity-best' | 'activity-total',
    options: { period?: 'week' | 'month'; telegramUserId?: string; neighbours?: number; type?: string } = {},
  ) =>
    t.call(RPC.gamification.getLeaderboard, {
      botId: bot.botId,
      limit: 10,
      metric,
      activityType: options.type ?? 'quiz',
      neighbours: options.neighbours ?? 1,
      ...(options.period ? { period: options.period } : {}),
      ...(options.telegramUserId ? { telegramUserId: options.telegramUserId } : {}),
    });
  const scoreRow = async (botId: string, telegramUserId: string, kind: string, startsOn: string) => {
    const [row] = await t.service.dependencies.orm.em
      .fork()
      .getConnection()
      .execute<{ best: string; total: string; activities: string }[]>(
        `SELECT best::text, total::text, activities::text FROM gamification.activity_scores
          WHERE bot_id = ? AND activity_type = 'quiz' AND kind = ? AND starts_on = ? AND telegram_user_id = ?`,
        [botId, kind, startsOn, telegramUserId],
      );
    return row;
  };
  const group = async (groupId: string, botId: string, name: string, owner: string) => {
    const em = t.service.dependencies.orm.em.fork();
    await em.transactional((tx) =>
      (onBotGroupChanged as EventConsumerDefinition).handle(botAdded(groupId, botId, name, owner), { em: tx, attempt: 1 } as never),
    );
  };

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_scores', new Date(DEC_6_2330));
    const router = t.service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: t.call }, declarations: () => [router.declaration()], timeZone: ZONE });
    bot = await kit.bot({ botId: randomUUID(), name: 'Quiz' });
    await t.call(RPC.gamification.setTimeZone, { botId: bot.botId, timeZone: ZONE });
  });

  afterAll(async () => {
    await kit?.close();
    await t?.close();
  });

  it('orders the same records by best score and by total score, ties by Telegram id and sharing a rank, with my neighbours', async () => {
    t.clock.set(DEC_6_2330);
    for (const [who, score] of [
      [ANN, 50],
      [ANN, 30],
      [BOB, 70],
      [CAT, 20],
      [CAT, 20],
      [CAT, 40],
      [DAN, 50],
      [EVE, 10],
    ] as const) {
      await record(bot.botId, who, 'quiz', score);
    }
    // Another type and an unscored record stay off the quiz boards.
    await record(bot.botId, ANN, 'spin', 999);
    await record(bot.botId, FAY, 'quiz', null);

    const best = await scores('activity-best', { telegramUserId: DAN });
    expect(rows(best.top)).toEqual([
      [BOB, '70', '1'],
      [ANN, '50', '2'],
      [DAN, '50', '2'],
      [CAT, '40', '4'],
      [EVE, '10', '5'],
    ]);
    expect(best.members).toBe('5');
    expect(best.me?.rank).toBe('2');
    expect(best.me?.score).toBe('50');
    expect(rows(best.me?.around)).toEqual([
      [ANN, '50', '2'],
      [DAN, '50', '2'],
      [CAT, '40', '4'],
    ]);

    const total = await scores('activity-total', { telegramUserId: CAT, neighbours: 2 });
    expect(rows(total.top)).toEqual([
      [ANN, '80', '1'],
      [CAT, '80', '1'],
      [BOB, '70', '3'],
      [DAN, '50', '4'],
      [EVE, '10', '5'],
    ]);
    expect(total.me).toMatchObject({ rank: '1', score: '80' });
    expect(rows(total.me?.around)).toEqual([
      [ANN, '80', '1'],
      [CAT, '80', '1'],
      [BOB, '70', '3'],
      [DAN, '50', '4'],
    ]);
    // The top 2 is a prefix of the board; someone without a score has no place.
    const top2 = await t.call(RPC.gamification.getLeaderboard, {
      botId: bot.botId,
      limit: 2,
      metric: 'activity-total',
      activityType: 'quiz',
      telegramUserId: FAY,
    });
    expect(rows(top2.top)).toEqual([
      [ANN, '80', '1'],
      [CAT, '80', '1'],
    ]);
    expect(top2.me).toBeUndefined();
    expect(rows((await scores('activity-best', { type: 'spin' })).top)).toEqual([[ANN, '999', '1']]);
  });

  it("starts a new week board on the bot's Monday (Sunday in UTC), a backdated record counting in its own week", async () => {
    t.clock.set(DEC_6_2330);
    const week = await scores('activity-best', { period: 'week' });
    expect(week.periodStart).toBe('2026-11-30');
    expect(rows(week.top)[0]).toEqual([BOB, '70', '1']);

    t.clock.set(DEC_7_0030);
    const fresh = await scores('activity-total', { period: 'week', telegramUserId: BOB });
    expect(fresh).toMatchObject({ periodStart: '2026-12-07', members: '0' });
    expect(fresh.top ?? []).toEqual([]);
    expect(fresh.me).toBeUndefined();

    await record(bot.botId, BOB, 'quiz', 5);
    // Recorded now, but it happened on Sunday 23:30 in Auckland: last week's.
    await record(bot.botId, EVE, 'quiz', 60, randomUUID(), DEC_6_2330);
    expect(rows((await scores('activity-total', { period: 'week' })).top)).toEqual([[BOB, '5', '1']]);
    expect(rows((await scores('activity-best', { period: 'week' })).top)).toEqual([[BOB, '5', '1']]);
    expect(await scoreRow(bot.botId, EVE, 'week', '2026-11-30')).toEqual({ best: '60', total: '70', activities: '2' });
    // December (from the bot's 1st) and all time keep everything.
    const month = await scores('activity-total', { period: 'month', telegramUserId: BOB });
    expect(month.periodStart).toBe('2026-12-01');
    expect(month.me).toMatchObject({ rank: '3', score: '75' });
    expect(rows((await scores('activity-total')).top).slice(0, 3)).toEqual([
      [ANN, '80', '1'],
      [CAT, '80', '1'],
      [BOB, '75', '3'],
    ]);
  });

  it('adds 20 racing records of 10 activity ids into the totals exactly once each', async () => {
    t.clock.set(DEC_7_0030);
    const racer = '7200000010';
    const ids = Array.from({ length: 10 }, (_, i) => ({ id: `race-${i}`, score: i + 1 }));
    await Promise.all([...ids, ...ids].map(({ id, score }) => record(bot.botId, racer, 'quiz', score, id)));
    const total = await scores('activity-total', { period: 'week', telegramUserId: racer });
    expect(total.me).toMatchObject({ rank: '1', score: '55' });
    expect((await scores('activity-best', { telegramUserId: racer })).me?.score).toBe('10');
    for (const [kind, start] of [
      ['all', ''],
      ['week', '2026-12-07'],
      ['month', '2026-12-01'],
    ]) {
      expect(await scoreRow(bot.botId, racer, kind, start)).toEqual({ best: '10', total: '55', activities: '10' });
    }
    const history = await t.call(RPC.gamification.getActivityHistory, { botId: bot.botId, telegramUserId: racer, limit: 50 });
    expect(history.entries).toHaveLength(10);
  });

  it("sums the group's weekly XP over its two bots, leaves out another owner's bot and last week", async () => {
    const [kiwi, uk, other, groupId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await t.call(RPC.gamification.setTimeZone, { botId: kiwi, timeZone: ZONE });
    await group(groupId, kiwi, 'Kiwi', '77');
    await group(groupId, uk, 'UK', '77');
    await group(randomUUID(), other, 'Other', '88');
    const award = (botId: string, telegramUserId: string, amount: number) =>
      t.call(RPC.gamification.award, { botId, telegramUserId, amount, reason: 'quiz', sourceId: randomUUID() });
    const [u1, u2, u3] = ['7300000001', '7300000002', '7300000003'];

    t.clock.set('2026-12-02T12:00:00.000Z'); // Wednesday of the week of 30 Nov, in both zones
    await award(uk, u2, 1000);
    t.clock.set('2026-12-09T00:00:00.000Z'); // Wednesday of the week of 7 Dec, in both zones
    await award(kiwi, u1, 30);
    await award(uk, u1, 20);
    await award(kiwi, u2, 40);
    await award(other, u3, 100);
    await award(other, u1, 500);

    const board = (period?: 'week' | 'month', botId = kiwi) =>
      t.call(RPC.gamification.getLeaderboard, { botId, limit: 10, group: true, telegramUserId: u2, neighbours: 1, ...(period ? { period } : {}) });
    const xp = (entries: readonly { telegramUserId?: string; totalXp?: string; rank?: string }[] | undefined) =>
      (entries ?? []).map((entry) => [entry.telegramUserId, entry.totalXp, entry.rank]);
    const week = await board('week');
    expect(week.periodStart).toBe('2026-12-07');
    expect(xp(week.top)).toEqual([
      [u1, '50', '1'],
      [u2, '40', '2'],
    ]);
    expect(week.members).toBe('2');
    expect(week.me).toMatchObject({ rank: '2', totalXp: '40' });
    expect(xp(week.me?.around)).toEqual([
      [u1, '50', '1'],
      [u2, '40', '2'],
    ]);
    // The other bot of the group asks the same board.
    expect(xp((await board('week', uk)).top)).toEqual(xp(week.top));
    const month = await board('month');
    expect(xp(month.top)).toEqual([
      [u2, '1040', '1'],
      [u1, '50', '2'],
    ]);
    expect(xp((await board()).top)).toEqual(xp(month.top));
    const lone = randomUUID();
    expect((await t.failure(t.call(RPC.gamification.getLeaderboard, { botId: lone, limit: 10, group: true }))).code).toBe('GAMIFICATION.NOT_IN_GROUP');
  });

  it('refuses boards that do not make sense with typed errors', async () => {
    const ask = (request: Record<string, unknown>) => t.failure(t.call(RPC.gamification.getLeaderboard, { botId: bot.botId, limit: 10, ...request } as never));
    expect((await ask({ metric: 'activity-best' })).code).toBe('GAMIFICATION.INVALID_LEADERBOARD');
    expect((await ask({ activityType: 'quiz' })).code).toBe('GAMIFICATION.INVALID_LEADERBOARD');
    expect((await ask({ metric: 'activity-total', activityType: 'quiz', group: true })).code).toBe('GAMIFICATION.INVALID_LEADERBOARD');
    expect((await ask({ metric: 'score', activityType: 'quiz' })).code).toBe('VALIDATION.FAILED');
    expect((await ask({ metric: 'activity-best', activityType: 'Not A Type' })).code).toBe('VALIDATION.FAILED');
  });

  it("shows the top by best score of the bot's latest scored activity type under /top, in English and in Russian", async () => {
    t.clock.set('2026-12-09T01:00:00.000Z');
    const topBot = await kit.bot({ botId: randomUUID(), name: 'Trainer' });
    const bob = kit.user('Bob', 'en');
    const x = '7400000001';
    await record(topBot.botId, String(bob.id), 'spin', 500);
    t.clock.set('2026-12-09T02:00:00.000Z');
    await record(topBot.botId, x, 'quiz', 90);
    await record(topBot.botId, String(bob.id), 'quiz', 60);
    await record(topBot.botId, String(bob.id), 'quiz', 20);

    const chat = topBot.chat(bob);
    chat.sendCommand('top');
    const message = await chat.waitForMessage(startsWith('🎯'));
    expect(message.text).toBe(
      ['🎯 Best scores in quiz: top 2', '#1 · 90 points · level 1', '#2 · 60 points · level 1 ← you', 'Your best: 60 points, #2 of 2'].join('\n'),
    );

    const ru = topBot.chat(kit.user('Olga', 'ru'));
    ru.sendCommand('top');
    const ruMessage = await ru.waitForMessage(startsWith('🎯'));
    expect(ruMessage.text?.split('\n')).toEqual([
      '🎯 Лучшие результаты в quiz: топ-2',
      '#1 · 90 очк. · уровень 1',
      '#2 · 60 очк. · уровень 1',
      'У тебя пока нет результата в quiz.',
    ]);
  });
});
