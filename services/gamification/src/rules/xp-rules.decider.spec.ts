import { DeciderSpecification } from '@botplatform/event-store';
import { describe, expect, it } from '@jest/globals';
import { MAX_AWARD, NO_XP_RULES, activityXp, xpRulesDecider, type SetXpRules, type XpRulesSet } from './xp-rules.decider.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const NOW = '2026-11-30T10:00:00.000Z';
const RULES = { activityFixedXp: 10, activityXpPerPoint: 1, streakDayXp: 5, paymentCompletedXp: 50, referralJoinedXp: 20 };
const set = (rules = RULES): SetXpRules => ({ type: 'SetXpRules', botId: BOT, rules, now: NOW });
const wasSet = (rules = RULES): XpRulesSet => ({ type: 'XpRulesSet', data: { botId: BOT, rules, setAt: NOW } });

describe("A bot's XP rules", () => {
  const spec = DeciderSpecification.for(xpRulesDecider);

  it('are set, and replaced as a whole', () => {
    spec.given([]).when(set()).then([wasSet()]);
    spec
      .given([wasSet()])
      .when(set({ ...RULES, streakDayXp: 0 }))
      .then([wasSet({ ...RULES, streakDayXp: 0 })]);
  });

  it('change nothing when set to what they are', () => {
    spec.given([wasSet()]).when(set()).then([]);
    spec.given([]).when(set(NO_XP_RULES)).then([]);
  });

  it('read a figure recorded before it existed as 0', () => {
    const { referralJoinedXp: _, ...older } = RULES;
    spec
      .given([wasSet(older as typeof RULES)])
      .when(set({ ...RULES, referralJoinedXp: 0 }))
      .then([]);
  });

  it('give an activity fixed XP plus XP per point of its score, a negative or absent score counting 0, capped', () => {
    expect(activityXp(RULES, 185)).toBe(195);
    expect(activityXp(RULES, null)).toBe(10);
    expect(activityXp(RULES, -50)).toBe(10);
    expect(activityXp({ ...RULES, activityXpPerPoint: 0 }, 185)).toBe(10);
    expect(activityXp({ ...RULES, activityXpPerPoint: 1000 }, 5_000_000)).toBe(MAX_AWARD);
    expect(activityXp(NO_XP_RULES, 185)).toBe(0);
  });
});
