import { DeciderSpecification } from '@botplatform/event-store';
import { describe, expect, it } from '@jest/globals';
import { memberDecider, streakOn, type AwardXp, type RecordActivity, type StreakExtended, type XpAwarded } from './member.decider.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const MEMBER = { botId: BOT, telegramUserId: 42 };
const NOW = '2026-11-30T10:00:00.000Z';
const LEVELS = [
  { level: 1, minXp: 0 },
  { level: 2, minXp: 100 },
  { level: 3, minXp: 300 },
];

const award = (sourceId: string, amount: number): AwardXp => ({ type: 'AwardXp', ...MEMBER, amount, reason: 'quiz', sourceId, levels: LEVELS, now: NOW });
const awarded = (sourceId: string, amount: number, totalXp = amount): XpAwarded => ({
  type: 'XpAwarded',
  data: { ...MEMBER, amount, reason: 'quiz', sourceId, totalXp, awardedAt: NOW },
});
const activity = (day: string): RecordActivity => ({ type: 'RecordActivity', ...MEMBER, day, timeZone: 'Europe/Berlin', now: NOW });
const extended = (day: string, current: number, longest: number, restarted = false): StreakExtended => ({
  type: 'StreakExtended',
  data: { ...MEMBER, day, timeZone: 'Europe/Berlin', current, longest, restarted, at: NOW },
});

describe("A member's game in a bot", () => {
  const spec = DeciderSpecification.for(memberDecider);

  describe('XP', () => {
    it('adds an award to the total', () => {
      spec
        .given([awarded('a-1', 30)])
        .when(award('a-2', 20))
        .then([awarded('a-2', 20, 50)]);
    });

    it('never awards the same source id twice, whatever the amount', () => {
      spec
        .given([awarded('a-1', 30)])
        .when(award('a-1', 30))
        .then([]);
      spec
        .given([awarded('a-1', 30)])
        .when(award('a-1', 500))
        .then([]);
    });

    it('reaches a level at its threshold exactly, with the old and the new level', () => {
      spec
        .given([awarded('a-1', 99)])
        .when(award('a-2', 1))
        .then([awarded('a-2', 1, 100), { type: 'LevelReached', data: { ...MEMBER, from: 1, to: 2, totalXp: 100, reachedAt: NOW } }]);
    });

    it('jumps several levels in one award, as one LevelReached', () => {
      spec
        .given([])
        .when(award('big', 350))
        .then([awarded('big', 350, 350), { type: 'LevelReached', data: { ...MEMBER, from: 1, to: 3, totalXp: 350, reachedAt: NOW } }]);
    });

    it('does not reach a level it has already reached, and never goes down when thresholds rise', () => {
      const reached = { type: 'LevelReached' as const, data: { ...MEMBER, from: 1, to: 2, totalXp: 100, reachedAt: NOW } };
      spec
        .given([awarded('a-1', 100), reached])
        .when(award('a-2', 10))
        .then([awarded('a-2', 10, 110)]);
      const higher = {
        ...award('a-2', 10),
        levels: [
          { level: 1, minXp: 0 },
          { level: 2, minXp: 1000 },
        ],
      };
      spec
        .given([awarded('a-1', 100), reached])
        .when(higher)
        .then([awarded('a-2', 10, 110)]);
    });
  });

  describe('badges', () => {
    it('awards a badge once', () => {
      const badge = { type: 'AwardBadge' as const, ...MEMBER, badgeKey: 'first-win', now: NOW };
      spec
        .given([])
        .when(badge)
        .then([{ type: 'BadgeAwarded', data: { ...MEMBER, badgeKey: 'first-win', awardedAt: NOW } }]);
      spec
        .given([{ type: 'BadgeAwarded', data: { ...MEMBER, badgeKey: 'first-win', awardedAt: NOW } }])
        .when({ ...badge, now: '2026-12-01T00:00:00.000Z' })
        .then([]);
    });
  });

  describe('period XP', () => {
    const inWeek = (sourceId: string, amount: number, weekStart: string, monthStart: string): AwardXp => ({
      ...award(sourceId, amount),
      weekStart,
      monthStart,
    });

    it("adds an award to the week's and the month's XP, and starts a new period from 0", () => {
      spec
        .given([])
        .when(inWeek('a-1', 30, '2026-11-30', '2026-11-01'))
        .then([{ ...awarded('a-1', 30), data: { ...awarded('a-1', 30).data, week: { start: '2026-11-30', xp: 30 }, month: { start: '2026-11-01', xp: 30 } } }]);
      const first = {
        ...awarded('a-1', 30),
        data: { ...awarded('a-1', 30).data, week: { start: '2026-11-30', xp: 30 }, month: { start: '2026-11-01', xp: 30 } },
      };
      spec
        .given([first])
        .when(inWeek('a-2', 20, '2026-11-30', '2026-12-01'))
        .then([
          {
            ...awarded('a-2', 20, 50),
            data: { ...awarded('a-2', 20, 50).data, week: { start: '2026-11-30', xp: 50 }, month: { start: '2026-12-01', xp: 20 } },
          },
        ]);
      spec
        .given([first])
        .when(inWeek('a-2', 20, '2026-12-07', '2026-12-01'))
        .then([
          {
            ...awarded('a-2', 20, 50),
            data: { ...awarded('a-2', 20, 50).data, week: { start: '2026-12-07', xp: 20 }, month: { start: '2026-12-01', xp: 20 } },
          },
        ]);
    });

    it('counts an award with a lagging clock into the later period already begun', () => {
      const later = {
        ...awarded('a-1', 30),
        data: { ...awarded('a-1', 30).data, week: { start: '2026-12-07', xp: 30 }, month: { start: '2026-12-01', xp: 30 } },
      };
      spec
        .given([later])
        .when(inWeek('a-2', 5, '2026-11-30', '2026-11-01'))
        .then([
          { ...awarded('a-2', 5, 35), data: { ...awarded('a-2', 5, 35).data, week: { start: '2026-12-07', xp: 35 }, month: { start: '2026-12-01', xp: 35 } } },
        ]);
    });
  });

  describe('badge metadata', () => {
    const badge = { type: 'AwardBadge' as const, ...MEMBER, badgeKey: 'first-win', now: NOW, today: '2026-11-30' };

    it('keeps the score and the streak given', () => {
      spec
        .given([])
        .when({ ...badge, score: 90, streak: 4 })
        .then([{ type: 'BadgeAwarded', data: { ...MEMBER, badgeKey: 'first-win', awardedAt: NOW, score: 90, streak: 4 } }]);
    });

    it("keeps the member's streak running today when none is given, and 0 once a day was missed", () => {
      spec
        .given([extended('2026-11-29', 2, 2)])
        .when({ ...badge, score: null })
        .then([{ type: 'BadgeAwarded', data: { ...MEMBER, badgeKey: 'first-win', awardedAt: NOW, score: null, streak: 2 } }]);
      spec
        .given([extended('2026-11-27', 2, 2)])
        .when({ ...badge, score: null })
        .then([{ type: 'BadgeAwarded', data: { ...MEMBER, badgeKey: 'first-win', awardedAt: NOW, score: null, streak: 0 } }]);
    });
  });

  describe('streaks', () => {
    it('starts at 1 on the first active day', () => {
      spec
        .given([])
        .when(activity('2026-11-30'))
        .then([extended('2026-11-30', 1, 1)]);
    });

    it('grows on the next day, also across a month and a year', () => {
      spec
        .given([extended('2026-11-30', 1, 1)])
        .when(activity('2026-12-01'))
        .then([extended('2026-12-01', 2, 2)]);
      spec
        .given([extended('2026-12-31', 4, 4)])
        .when(activity('2027-01-01'))
        .then([extended('2027-01-01', 5, 5)]);
    });

    it('counts a day once, and ignores a late report of an earlier day', () => {
      spec
        .given([extended('2026-11-30', 1, 1)])
        .when(activity('2026-11-30'))
        .then([]);
      spec
        .given([extended('2026-11-30', 1, 1)])
        .when(activity('2026-11-29'))
        .then([]);
    });

    it('starts again at 1 after a missed day, keeping the longest', () => {
      spec
        .given([extended('2026-11-28', 1, 1), extended('2026-11-29', 2, 2), extended('2026-11-30', 3, 3)])
        .when(activity('2026-12-02'))
        .then([extended('2026-12-02', 1, 3, true)]);
    });

    it('shows no current streak once yesterday passed without activity', () => {
      const streak = { current: 3, longest: 5, lastDay: '2026-11-30' };
      expect(streakOn(streak, '2026-11-30')).toEqual(streak);
      expect(streakOn(streak, '2026-12-01')).toEqual(streak);
      expect(streakOn(streak, '2026-12-02')).toEqual({ current: 0, longest: 5, lastDay: '2026-11-30' });
    });
  });
});
