import { BadgeAwardedSchema, LevelReachedSchema, RPC, StreakExtendedSchema, XpAwardedSchema } from '@botplatform/contracts';
import { waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';
import { memberStreamId } from './member.decider.js';

const T0 = new Date('2026-11-30T10:00:00.000Z');
const LEVELS = [
  { level: 1, minXp: '0' },
  { level: 2, minXp: '100' },
  { level: 3, minXp: '300' },
];

/**
 * The gamification service's RPCs as other services call them: started as the platform starts it, on a
 * throwaway database, the in-process transports and a test clock. Races are real: concurrent calls on
 * one member's locked stream.
 */
describe('The gamification service over request/reply', () => {
  let t: GamificationTestService;
  let nextMember = 1000;

  const newBot = async (levels = LEVELS) => {
    const botId = randomUUID();
    await t.call(RPC.gamification.configureLevels, { botId, levels });
    return botId;
  };
  const member = () => String(nextMember++);
  const award = (botId: string, telegramUserId: string, amount: number, sourceId: string = randomUUID()) =>
    t.call(RPC.gamification.award, { botId, telegramUserId, amount, reason: 'quiz', sourceId });
  const streamOf = (botId: string, telegramUserId: string) => t.streamEvents(memberStreamId({ kind: 'bot', botId }, Number(telegramUserId)));
  const profileOf = (botId: string, telegramUserId: string, timeZone?: string) =>
    t.call(RPC.gamification.getProfile, { botId, telegramUserId, ...(timeZone ? { timeZone } : {}) });

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_rpc', T0);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('XP', () => {
    it('awards once when 20 awards with one source id race, and every reply tells the same total', async () => {
      const botId = await newBot();
      const who = member();
      const replies = await Promise.all(Array.from({ length: 20 }, () => award(botId, who, 30, 'activity-7')));
      expect(replies.filter((reply) => reply.awarded)).toHaveLength(1);
      expect(new Set(replies.map((reply) => reply.totalXp))).toEqual(new Set(['30']));
      expect((await streamOf(botId, who)).map((event) => event.type)).toEqual(['XpAwarded']);
      expect((await profileOf(botId, who)).totalXp).toBe('30');
      // Later, too: the source id is spent for this member.
      expect(await award(botId, who, 30, 'activity-7')).toMatchObject({ awarded: false, totalXp: '30' });
    });

    it('adds up 50 different awards racing for one member exactly, one event each', async () => {
      const botId = await newBot();
      const who = member();
      const amounts = Array.from({ length: 50 }, (_, i) => i + 1);
      const replies = await Promise.all(amounts.map((amount) => award(botId, who, amount)));
      expect(replies.every((reply) => reply.awarded)).toBe(true);
      const sum = amounts.reduce((a, b) => a + b, 0);
      const xpEvents = (await streamOf(botId, who)).filter((event) => event.type === 'XpAwarded');
      expect(xpEvents).toHaveLength(50);
      // One queue: each event's total is the one before plus its amount.
      const totals = xpEvents.map((event) => event.data as { totalXp: number; amount: number });
      for (const [i, e] of totals.entries()) expect(e.totalXp).toBe((i ? totals[i - 1].totalXp : 0) + e.amount);
      expect((await profileOf(botId, who)).totalXp).toBe(String(sum));
      // The totals the replies saw are the running sums of one queue: all distinct, the largest is the sum.
      expect(new Set(replies.map((reply) => reply.totalXp)).size).toBe(50);
      expect(Math.max(...replies.map((reply) => Number(reply.totalXp)))).toBe(sum);
    });

    it('publishes each award', async () => {
      const botId = await newBot();
      const who = member();
      await award(botId, who, 5, 'lesson-1');
      const event = await waitFor('the public event', () => t.published(XpAwardedSchema).find((e) => e.message.botId === botId));
      expect(event.message).toMatchObject({ telegramUserId: BigInt(who), amount: 5, reason: 'quiz', sourceId: 'lesson-1', totalXp: 5n });
    });

    it.each([
      ['no XP', { amount: 0 }, ['amount']],
      ['negative XP', { amount: -5 }, ['amount']],
      ['a bad Telegram id', { telegramUserId: 'abc' }, ['telegramUserId']],
      ['no source id', { sourceId: '' }, ['sourceId']],
    ])('refuses an award of %s with field errors and writes nothing', async (_case, overrides, fields) => {
      const before = await t.countEvents();
      const request = { botId: randomUUID(), telegramUserId: '5', amount: 10, reason: 'quiz', sourceId: 's', ...overrides };
      const error = await t.failure(t.call(RPC.gamification.award, request));
      expect(error.code).toBe('VALIDATION.FAILED');
      expect(Object.keys(error.fields ?? {}).sort()).toEqual(fields);
      expect(await t.countEvents()).toBe(before);
    });
  });

  describe('levels', () => {
    it('refuses thresholds that do not start at level 1 with 0 XP or do not strictly increase', async () => {
      const botId = randomUUID();
      for (const levels of [
        [{ level: 2, minXp: '0' }],
        [{ level: 1, minXp: '10' }],
        [
          { level: 1, minXp: '0' },
          { level: 2, minXp: '100' },
          { level: 3, minXp: '100' },
        ],
        [
          { level: 1, minXp: '0' },
          { level: 3, minXp: '100' },
          { level: 2, minXp: '200' },
        ],
      ]) {
        expect((await t.failure(t.call(RPC.gamification.configureLevels, { botId, levels }))).code).toBe('GAMIFICATION.INVALID_LEVELS');
      }
      expect((await t.failure(t.call(RPC.gamification.configureLevels, { botId, levels: [] }))).code).toBe('VALIDATION.FAILED');
      expect((await t.failure(t.call(RPC.gamification.configureLevels, { botId, levels: [{ level: 1, minXp: '-1' }] }))).code).toBe('VALIDATION.FAILED');
      expect(await t.streamEvents(`gamification-bot-${botId}`)).toEqual([]);
    });

    it('answers the thresholds it keeps, and the same ones again change nothing', async () => {
      const botId = randomUUID();
      expect(await t.call(RPC.gamification.configureLevels, { botId, levels: LEVELS })).toEqual({ levels: LEVELS, changed: true });
      expect(await t.call(RPC.gamification.configureLevels, { botId, levels: LEVELS })).toEqual({ levels: LEVELS, changed: false });
    });

    it('reaches a level exactly at its threshold, with the old and the new level, and publishes it once', async () => {
      const botId = await newBot();
      const who = member();
      expect(await award(botId, who, 99)).toEqual({ awarded: true, totalXp: '99', level: 1 });
      expect(await award(botId, who, 1)).toEqual({ awarded: true, totalXp: '100', level: 2, levelReached: { fromLevel: 1, toLevel: 2 } });
      expect(await award(botId, who, 250)).toEqual({ awarded: true, totalXp: '350', level: 3, levelReached: { fromLevel: 2, toLevel: 3 } });
      const published = await waitFor('the public event', () => {
        const events = t.published(LevelReachedSchema).filter((e) => e.message.botId === botId);
        return events.length === 2 ? events : undefined;
      });
      expect(published.map((e) => [e.message.fromLevel, e.message.toLevel, e.message.totalXp])).toEqual([
        [1, 2, 100n],
        [2, 3, 350n],
      ]);
    });

    it('fires one level-up when two awards cross the threshold together', async () => {
      const botId = await newBot();
      const who = member();
      await award(botId, who, 90);
      const replies = await Promise.all([award(botId, who, 20), award(botId, who, 20)]);
      expect(replies.filter((reply) => reply.levelReached)).toEqual([expect.objectContaining({ levelReached: { fromLevel: 1, toLevel: 2 } })]);
      expect((await streamOf(botId, who)).filter((event) => event.type === 'LevelReached')).toHaveLength(1);
      expect(await profileOf(botId, who)).toMatchObject({ totalXp: '130', level: 2, nextLevel: { level: 3, minXp: '300' } });
    });
  });

  describe('badges', () => {
    const FIRST_WIN = {
      key: 'first-win',
      names: [
        { language: 'en', name: 'First win' },
        { language: 'ru', name: 'Первая победа' },
      ],
      icon: '🥇',
    };

    it('keeps a catalogue per bot, and a definition again changes nothing', async () => {
      const botId = randomUUID();
      expect(await t.call(RPC.gamification.defineBadge, { botId, badge: FIRST_WIN })).toEqual({ badge: FIRST_WIN, changed: true });
      expect(await t.call(RPC.gamification.defineBadge, { botId, badge: FIRST_WIN })).toEqual({ badge: FIRST_WIN, changed: false });
      const week = { key: 'week', names: [{ language: 'en', name: 'A week in a row' }], icon: '🔥' };
      await t.call(RPC.gamification.defineBadge, { botId, badge: week });
      expect(await t.call(RPC.gamification.listBadges, { botId })).toEqual({ badges: [FIRST_WIN, week] });
      expect(await t.call(RPC.gamification.listBadges, { botId: randomUUID() })).toEqual({ badges: [] });
    });

    it('awards a badge once when 20 awards race: one answer says it is new', async () => {
      const botId = randomUUID();
      await t.call(RPC.gamification.defineBadge, { botId, badge: FIRST_WIN });
      const who = member();
      const replies = await Promise.all(
        Array.from({ length: 20 }, () => t.call(RPC.gamification.awardBadge, { botId, telegramUserId: who, badgeKey: 'first-win' })),
      );
      expect(replies.filter((reply) => reply.newBadge)).toHaveLength(1);
      expect(new Set(replies.map((reply) => reply.awardedAt)).size).toBe(1);
      expect((await streamOf(botId, who)).map((event) => event.type)).toEqual(['BadgeAwarded']);
      // Where it was earned, and the member's streak then (none running), kept with it.
      expect((await profileOf(botId, who)).badges).toEqual([{ key: 'first-win', awardedAt: replies[0].awardedAt, botId, streak: 0 }]);
      const event = await waitFor('the public event', () => t.published(BadgeAwardedSchema).find((e) => e.message.botId === botId));
      expect(event.message).toMatchObject({ telegramUserId: BigInt(who), badgeKey: 'first-win', streak: 0 });
      expect(event.message.score).toBeUndefined();
    });

    it('refuses a badge the bot does not have with GAMIFICATION.UNKNOWN_BADGE', async () => {
      const botId = randomUUID();
      await t.call(RPC.gamification.defineBadge, { botId, badge: FIRST_WIN });
      // Catalogues are per bot: another bot's badge, or a key this bot never defined.
      const error = await t.failure(t.call(RPC.gamification.awardBadge, { botId: randomUUID(), telegramUserId: '7', badgeKey: 'first-win' }));
      expect(error.code).toBe('GAMIFICATION.UNKNOWN_BADGE');
      expect((await t.failure(t.call(RPC.gamification.awardBadge, { botId, telegramUserId: '7', badgeKey: 'second-win' }))).code).toBe(
        'GAMIFICATION.UNKNOWN_BADGE',
      );
      expect(await streamOf(botId, '7')).toEqual([]);
    });
  });

  describe('streaks', () => {
    const activity = (botId: string, telegramUserId: string, occurredAt: string, timeZone?: string) =>
      t.call(RPC.gamification.recordActivity, { botId, telegramUserId, occurredAt, ...(timeZone ? { timeZone } : {}) });

    it("counts days in the bot's time zone: 23:30 and 00:30 in Tokyo are two days, the same UTC day", async () => {
      const botId = randomUUID();
      await t.call(RPC.gamification.setTimeZone, { botId, timeZone: 'Asia/Tokyo' });
      t.clock.set('2026-12-02T00:00:00.000Z');
      const who = member();
      expect(await activity(botId, who, '2026-11-30T14:30:00.000Z')).toEqual({
        day: '2026-11-30',
        extended: true,
        streak: { current: 1, longest: 1, lastDay: '2026-11-30' },
      });
      expect(await activity(botId, who, '2026-11-30T15:30:00.000Z')).toEqual({
        day: '2026-12-01',
        extended: true,
        streak: { current: 2, longest: 2, lastDay: '2026-12-01' },
      });
      // The same local day again: nothing new.
      expect(await activity(botId, who, '2026-12-01T10:00:00.000Z')).toMatchObject({ day: '2026-12-01', extended: false, streak: { current: 2 } });

      // The same two instants in the member's own zone (UTC) are one day.
      const other = member();
      await activity(botId, other, '2026-11-30T14:30:00.000Z', 'UTC');
      expect(await activity(botId, other, '2026-11-30T15:30:00.000Z', 'UTC')).toMatchObject({ day: '2026-11-30', extended: false, streak: { current: 1 } });
      t.clock.set(T0);
    });

    it('starts again at 1 after a missed day and keeps the longest; the profile shows 0 once a day is missed', async () => {
      const botId = randomUUID();
      await t.call(RPC.gamification.setTimeZone, { botId, timeZone: 'Europe/Berlin' });
      const who = member();
      for (const at of ['2026-11-27T09:00:00.000Z', '2026-11-28T09:00:00.000Z', '2026-11-29T22:30:00.000Z']) await activity(botId, who, at);
      // 22:30 UTC on the 29th is 23:30 in Berlin: still the 29th, the third day.
      t.clock.set('2026-11-30T12:00:00.000Z');
      expect((await profileOf(botId, who)).streak).toEqual({ current: 3, longest: 3, lastDay: '2026-11-29' });
      t.clock.set('2026-12-01T12:00:00.000Z');
      expect((await profileOf(botId, who)).streak).toEqual({ current: 0, longest: 3, lastDay: '2026-11-29' });
      expect(await activity(botId, who, '2026-12-01T12:00:00.000Z')).toEqual({
        day: '2026-12-01',
        extended: true,
        streak: { current: 1, longest: 3, lastDay: '2026-12-01' },
      });
      const published = await waitFor('the public event', () => {
        const events = t.published(StreakExtendedSchema).filter((e) => e.message.botId === botId);
        return events.length === 4 ? events : undefined;
      });
      expect(published.map((e) => [e.message.day, e.message.current, e.message.longest, e.message.restarted])).toEqual([
        ['2026-11-27', 1, 1, false],
        ['2026-11-28', 2, 2, false],
        ['2026-11-29', 3, 3, false],
        ['2026-12-01', 1, 3, true],
      ]);
      t.clock.set(T0);
    });

    it('counts the days around a daylight saving change: 00:30 before and after the clocks go forward are two days', async () => {
      const botId = randomUUID();
      await t.call(RPC.gamification.setTimeZone, { botId, timeZone: 'Europe/Berlin' });
      const who = member();
      t.clock.set('2026-04-01T00:00:00.000Z');
      // 00:30 on 29 March is 23:30 UTC the day before (CET, +1); 00:30 on 30 March is 22:30 UTC (CEST, +2).
      expect(await activity(botId, who, '2026-03-28T23:30:00.000Z')).toMatchObject({ day: '2026-03-29', streak: { current: 1 } });
      expect(await activity(botId, who, '2026-03-29T22:30:00.000Z')).toMatchObject({ day: '2026-03-30', streak: { current: 2 } });
      t.clock.set(T0);
    });

    it('refuses an activity that has not happened yet with GAMIFICATION.ACTIVITY_IN_FUTURE and counts nothing', async () => {
      const botId = randomUUID();
      const who = member();
      const error = await t.failure(activity(botId, who, new Date(T0.getTime() + 24 * 3_600_000).toISOString()));
      expect(error.code).toBe('GAMIFICATION.ACTIVITY_IN_FUTURE');
      expect(await streamOf(botId, who)).toEqual([]);
    });

    it('refuses a time zone that does not exist', async () => {
      const botId = randomUUID();
      expect((await t.failure(t.call(RPC.gamification.setTimeZone, { botId, timeZone: 'Mars/Olympus' }))).code).toBe('GAMIFICATION.INVALID_TIME_ZONE');
      expect((await t.failure(activity(botId, '5', '2026-11-30T10:00:00.000Z', 'Mars/Olympus'))).code).toBe('GAMIFICATION.INVALID_TIME_ZONE');
    });
  });

  describe('the leaderboard', () => {
    it('ranks by XP with ties sharing a rank, and gives my rank with my neighbours', async () => {
      const botId = await newBot();
      const xp: Record<string, number> = { '501': 100, '502': 80, '503': 80, '504': 50, '505': 10, '506': 300 };
      for (const [who, amount] of Object.entries(xp)) await award(botId, who, amount);
      // Someone in another bot and someone with a streak only are not on this board.
      await award(randomUUID(), '507', 1_000);
      await t.call(RPC.gamification.recordActivity, { botId, telegramUserId: '508' });

      const board = await t.call(RPC.gamification.getLeaderboard, { botId, limit: 4, telegramUserId: '504', neighbours: 1 });
      expect(board.members).toBe('6');
      expect(board.top?.map((e) => [e.rank, e.telegramUserId, e.totalXp, e.level])).toEqual([
        ['1', '506', '300', 3],
        ['2', '501', '100', 2],
        ['3', '502', '80', 1],
        ['3', '503', '80', 1],
      ]);
      expect(board.me).toEqual({
        rank: '5',
        totalXp: '50',
        around: [
          { rank: '3', telegramUserId: '503', totalXp: '80', level: 1 },
          { rank: '5', telegramUserId: '504', totalXp: '50', level: 1 },
          { rank: '6', telegramUserId: '505', totalXp: '10', level: 1 },
        ],
      });

      const tied = await t.call(RPC.gamification.getLeaderboard, { botId, limit: 1, telegramUserId: '503', neighbours: 2 });
      expect(tied.me?.around?.map((e) => [e.rank, e.telegramUserId])).toEqual([
        ['2', '501'],
        ['3', '502'],
        ['3', '503'],
        ['5', '504'],
        ['6', '505'],
      ]);
      const top = await t.call(RPC.gamification.getLeaderboard, { botId, limit: 10, telegramUserId: '506', neighbours: 3 });
      expect(top.me?.around?.map((e) => e.telegramUserId)).toEqual(['506', '501', '502', '503']);
      expect((await t.call(RPC.gamification.getLeaderboard, { botId, limit: 10, telegramUserId: '508' })).me).toBeUndefined();
      expect(await profileOf(botId, '503')).toMatchObject({ rank: '3', totalXp: '80' });
      expect((await profileOf(botId, '508')).rank).toBeUndefined();
    });

    it('refuses a board of more than 100 or of no members with field errors', async () => {
      for (const limit of [0, 101]) {
        const error = await t.failure(t.call(RPC.gamification.getLeaderboard, { botId: randomUUID(), limit }));
        expect(error.code).toBe('VALIDATION.FAILED');
      }
    });
  });
});
