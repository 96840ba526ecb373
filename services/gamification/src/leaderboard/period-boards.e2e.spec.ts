import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { RPC } from '@botplatform/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { waitFor } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';
import { LeaderboardIndex } from './leaderboard-index.js';

/**
 * Auckland is UTC+13 in December (daylight saving): its Monday 2026-12-07 00:00 is Sunday 2026-12-06 11:00
 * UTC, and its 1 December 00:00 is 30 November 11:00 UTC, so the bot's week and month turn over half a
 * day before UTC's.
 */
const ZONE = 'Pacific/Auckland';
const NOV_30_2330 = '2026-11-30T10:30:00.000Z'; // Monday 30 Nov 23:30 in Auckland: week of 30 Nov, November
const DEC_1_0030 = '2026-11-30T11:30:00.000Z'; // Tuesday 1 Dec 00:30: same week, December
const DEC_6_2330 = '2026-12-06T10:30:00.000Z'; // Sunday 6 Dec 23:30: still the week of 30 Nov
const DEC_7_0030 = '2026-12-06T11:30:00.000Z'; // Monday 7 Dec 00:30: a new week (UTC: still Sunday)

const ANN = '7100000001';
const BOB = '7100000002';
const CAT = '7100000003';

const startsWith = (prefix: string) => (message: Message) => message.text?.startsWith(prefix) ?? false;

/** Weekly and monthly boards reset on the bot's calendar (ADR 0015), through get-leaderboard and /top. */
describe("Period boards on the bot's calendar", () => {
  let t: GamificationTestService;
  let kit: FeatureTestKit;
  let bot: KitBot;
  const replicas: LeaderboardIndex[] = [];

  const award = (telegramUserId: string, amount: number, sourceId: string = randomUUID()) =>
    t.call(RPC.gamification.award, { botId: bot.botId, telegramUserId, amount, reason: 'quiz', sourceId });
  const board = (period: 'week' | 'month' | undefined, telegramUserId?: string) =>
    t.call(RPC.gamification.getLeaderboard, {
      botId: bot.botId,
      limit: 10,
      neighbours: 1,
      ...(period ? { period } : {}),
      ...(telegramUserId ? { telegramUserId } : {}),
    });
  const tops = async (period?: 'week' | 'month') => (await board(period)).top?.map((entry) => [entry.telegramUserId, entry.totalXp, entry.rank]);

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_periods', new Date(NOV_30_2330));
    const router = t.service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: t.call }, declarations: () => [router.declaration()], timeZone: ZONE });
    bot = await kit.bot({ botId: randomUUID(), name: 'Kiwi' });
    await t.call(RPC.gamification.setTimeZone, { botId: bot.botId, timeZone: ZONE });
  });

  afterAll(async () => {
    for (const replica of replicas) replica.onApplicationShutdown();
    await kit?.close();
    await t?.close();
  });

  it("starts a new month on the bot's 1st and a new week on the bot's Monday, not UTC's; XP before the boundary stays out", async () => {
    t.clock.set(NOV_30_2330);
    await award(CAT, 70);
    expect((await board('month')).periodStart).toBe('2026-11-01');

    t.clock.set(DEC_1_0030);
    await award(ANN, 50);
    const month = await board('month', ANN);
    expect(month.periodStart).toBe('2026-12-01');
    // Cat's 70 XP were November's (in Auckland), though UTC was still on 30 November for both awards.
    expect(month.top?.map((entry) => [entry.telegramUserId, entry.totalXp, entry.rank])).toEqual([[ANN, '50', '1']]);
    expect(month.me).toMatchObject({ rank: '1', totalXp: '50' });
    const week = await board('week');
    expect(week.periodStart).toBe('2026-11-30');
    expect(await tops('week')).toEqual([
      [CAT, '70', '1'],
      [ANN, '50', '2'],
    ]);

    t.clock.set(DEC_6_2330);
    await award(BOB, 30);
    expect(await tops('week')).toEqual([
      [CAT, '70', '1'],
      [ANN, '50', '2'],
      [BOB, '30', '3'],
    ]);

    // Monday 00:30 in Auckland, Sunday in UTC: the bot's new week is empty until someone earns XP in it.
    t.clock.set(DEC_7_0030);
    const fresh = await board('week', ANN);
    expect(fresh).toMatchObject({ periodStart: '2026-12-07', members: '0' });
    expect(fresh.top ?? []).toEqual([]);
    expect(fresh.me).toBeUndefined();

    await award(BOB, 10);
    expect(await tops('week')).toEqual([[BOB, '10', '1']]);
    expect((await board('week', ANN)).me).toBeUndefined();
    // The month and all time keep what came before.
    expect(await tops('month')).toEqual([
      [ANN, '50', '1'],
      [BOB, '40', '2'],
    ]);
    expect(await tops()).toEqual([
      [CAT, '70', '1'],
      [ANN, '50', '2'],
      [BOB, '40', '3'],
    ]);
  });

  it('refuses a period it does not know with a field error', async () => {
    for (const period of ['year', 'WEEK', '']) {
      const error = await t.failure(t.call(RPC.gamification.getLeaderboard, { botId: bot.botId, limit: 10, period }));
      expect(error.code).toBe('VALIDATION.FAILED');
    }
  });

  it('counts racing awards into the week exactly, and a repeated source id once', async () => {
    t.clock.set(DEC_7_0030);
    const racer = '7100000010';
    const sources = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all([...sources, ...sources].map((sourceId) => award(racer, 5, sourceId)));
    const week = await board('week', racer);
    expect(week.me).toMatchObject({ rank: '1', totalXp: '100' });
    const [row] = await t.service.dependencies.orm.em
      .fork()
      .getConnection()
      .execute<{ xp: string }[]>(
        `SELECT xp::text FROM gamification.period_xp WHERE bot_id = ? AND kind = 'week' AND starts_on = '2026-12-07' AND telegram_user_id = ?`,
        [bot.botId, racer],
      );
    expect(row.xp).toBe('100');
  });

  it('a restarted process rebuilds the current week and month from the projection, none of the closed periods, and follows the other replica', async () => {
    t.clock.set(DEC_7_0030);
    const restarted = new LeaderboardIndex(t.service.dependencies.orm, t.service.dependencies.store);
    replicas.push(restarted);
    await restarted.ready();
    const scope = { kind: 'bot', botId: bot.botId } as const;
    const served = await board('week');
    expect(
      restarted
        .periodBoard(scope, 'week', '2026-12-07')
        .top(10)
        .map((member) => [String(member.telegramUserId), String(member.xp), String(member.rank)]),
    ).toEqual(served.top?.map((entry) => [entry.telegramUserId, entry.totalXp, entry.rank]));
    expect(restarted.periodBoard(scope, 'week', '2026-11-30').size).toBe(0);
    expect(restarted.periodBoard(scope, 'month', '2026-12-01').size).toBe(3);
    expect(restarted.periodBoard(scope, 'month', '2026-11-01').size).toBe(0);

    // Another replica's award reaches it by following the store.
    await award(CAT, 500);
    // readAll reads below the oldest transaction open on the server, which other test files may hold.
    await waitFor('the award on the other replica', async () => {
      await restarted.catchUp();
      return restarted.periodBoard(scope, 'week', '2026-12-07').xpOf(Number(CAT)) === 500;
    });
    expect(restarted.periodBoard(scope, 'week', '2026-12-07').around(Number(CAT), 0)?.me).toMatchObject({ rank: 1, xp: 500 });
    expect(restarted.periodBoard(scope, 'month', '2026-12-01').around(Number(CAT), 0)?.me).toMatchObject({ rank: 1, xp: 500 });
  });

  it('shows this week and this month under /top, in English and in Russian', async () => {
    t.clock.set(DEC_7_0030);
    const bob = kit.user('Bob', 'en');
    await award(String(bob.id), 15);
    const chat = bot.chat(bob);
    chat.sendCommand('top');
    const periods = await chat.waitForMessage(startsWith('📅'));
    expect(periods.text).toBe(
      [
        '📅 This week (from 2026-12-07): top 4',
        '#1 · 500 XP · level 1',
        '#2 · 100 XP · level 1',
        '#3 · 15 XP · level 1 ← you',
        '#4 · 10 XP · level 1',
        'Your rank: #3 of 4 with 15 XP',
        '',
        '🗓 This month (from 2026-12-01): top 5',
        '#1 · 500 XP · level 1',
        '#2 · 100 XP · level 1',
        '#3 · 50 XP · level 1',
        '#4 · 40 XP · level 1',
        '#5 · 15 XP · level 1 ← you',
        'Your rank: #5 of 5 with 15 XP',
      ].join('\n'),
    );

    const olga = kit.user('Olga', 'ru');
    const ru = bot.chat(olga);
    ru.sendCommand('top');
    const ruPeriods = await ru.waitForMessage(startsWith('📅'));
    expect(ruPeriods.text?.split('\n')[0]).toBe('📅 Эта неделя (с 2026-12-07): топ-4');
    expect(ruPeriods.text?.split('\n')[5]).toBe('В этом периоде у тебя пока нет опыта.');
    expect(ruPeriods.text?.split('\n')[7]).toBe('🗓 Этот месяц (с 2026-12-01): топ-5');
  });
});
