import { RPC } from '@botplatform/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { memberStreamId } from '../member/member.decider.js';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';

const T0 = new Date('2026-11-30T10:00:00.000Z');
const RULES = { activityFixedXp: 10, activityXpPerPoint: 1, streakDayXp: 5, paymentCompletedXp: 50, referralJoinedXp: 25 };

/** A bot's XP rules turning recorded activities and streak days into XP, once per activity id and per day. */
describe('XP from the bot’s rules', () => {
  let t: GamificationTestService;
  let nextMember = 9000;
  const member = () => String(nextMember++);

  const record = (botId: string, telegramUserId: string, id: string, score: string, occurredAt?: string) =>
    t.call(RPC.gamification.recordActivity, { botId, telegramUserId, ...(occurredAt ? { occurredAt } : {}), activity: { id, type: 'quiz', score } });
  const xpOf = async (botId: string, telegramUserId: string) => (await t.call(RPC.gamification.getProfile, { botId, telegramUserId })).totalXp;
  const awards = async (botId: string, telegramUserId: string) =>
    (await t.streamEvents(memberStreamId({ kind: 'bot', botId }, Number(telegramUserId))))
      .filter((event) => event.type === 'XpAwarded')
      .map((event) => (event.data as { sourceId: string; amount: number }).sourceId);

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_rules', T0);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('sets the rules, and setting the same again changes nothing', async () => {
    const botId = randomUUID();
    expect(await t.call(RPC.gamification.setXpRules, { botId, rules: RULES })).toEqual({ rules: RULES, changed: true });
    expect(await t.call(RPC.gamification.setXpRules, { botId, rules: RULES })).toEqual({ rules: RULES, changed: false });
    const failure = await t.failure(t.call(RPC.gamification.setXpRules, { botId, rules: { ...RULES, streakDayXp: -1 } }));
    expect(failure.code).toBe('VALIDATION.FAILED');
  });

  it('awards an activity fixed + per-point XP and the streak day once, when 10 records of it race', async () => {
    const botId = randomUUID();
    await t.call(RPC.gamification.setXpRules, { botId, rules: RULES });
    const who = member();
    await Promise.all(Array.from({ length: 10 }, () => record(botId, who, 'quiz-1', '185')));
    // 10 + 185 for the activity, 5 for the day.
    expect(await xpOf(botId, who)).toBe('200');
    expect((await awards(botId, who)).sort()).toEqual(['activity:quiz-1', 'streak-day:2026-11-30']);

    // Another activity the same day: its XP, no second day.
    await record(botId, who, 'quiz-2', '20');
    expect(await xpOf(botId, who)).toBe('230');
    // The next day extends the streak: one more day's XP.
    t.clock.advance(86_400_000);
    await record(botId, who, 'quiz-3', '0');
    expect(await xpOf(botId, who)).toBe('245');
    expect(await awards(botId, who)).toHaveLength(5);
  });

  it('awards nothing from events in a bot without rules', async () => {
    const botId = randomUUID();
    const who = member();
    await record(botId, who, 'quiz-1', '185');
    expect(await xpOf(botId, who)).toBe('0');
    expect(await awards(botId, who)).toEqual([]);
  });
});
