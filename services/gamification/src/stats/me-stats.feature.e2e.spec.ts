import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { RPC } from '@botplatform/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';

/** 2026-11-30 01:30 in Berlin, 00:30 UTC: the activities below fall on Berlin's dates, not UTC's. */
const T0 = new Date('2026-11-30T00:30:00.000Z');
const ZONE = 'Europe/Berlin';

const startsWith = (prefix: string) => (message: Message) => message.text?.startsWith(prefix) ?? false;

/**
 * Seed 003's stats_data through the platform: activities recorded with `rpc.gamification.record-activity`
 * become the member's statistics in the bot, in the profile RPC and in /me (en and ru, the sandbox as
 * Telegram, the feature test kit as the gateway's routing).
 */
describe("A member's statistics in a bot", () => {
  let t: GamificationTestService;
  let kit: FeatureTestKit;
  let spin: KitBot;

  const record = (botId: string, telegramUserId: string, id: string, score: string | undefined, occurredAt: string) =>
    t.call(RPC.gamification.recordActivity, {
      botId,
      telegramUserId,
      occurredAt,
      activity: { id, type: 'spin_training', ...(score === undefined ? {} : { score }), metrics: { clarity_level: 75 } },
    });

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_stats', T0);
    const router = t.service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: t.call }, declarations: () => [router.declaration()], timeZone: ZONE });
    spin = await kit.bot({ botId: randomUUID(), name: 'SPIN' });
    await t.call(RPC.gamification.setTimeZone, { botId: spin.botId, timeZone: ZONE });
    await t.call(RPC.gamification.defineBadge, {
      botId: spin.botId,
      badge: { key: 'spin-master', names: [{ language: 'en', name: 'SPIN master' }], icon: '🎓' },
    });
  });

  afterAll(async () => {
    await kit?.close();
    await t?.close();
  });

  it('counts each activity once, keeps the best score and the last time, and the badges earned in the bot', async () => {
    const botId = spin.botId;
    const who = '777001';
    await record(botId, who, 't-1', '120', '2026-11-28T10:00:00.000Z');
    await record(botId, who, 't-2', '185', '2026-11-29T10:00:00.000Z');
    // Recorded late: it counts, but is neither the best nor the last.
    await record(botId, who, 't-0', '90', '2026-11-27T10:00:00.000Z');
    // Without a score, and a redelivered record of t-2 with another score.
    await record(botId, who, 't-3', undefined, '2026-11-29T23:30:00.000Z');
    await Promise.all(Array.from({ length: 10 }, () => record(botId, who, 't-2', '999', '2026-11-29T10:00:00.000Z')));
    await t.call(RPC.gamification.awardBadge, { botId, telegramUserId: who, badgeKey: 'spin-master' });

    const profile = await t.call(RPC.gamification.getProfile, { botId, telegramUserId: who });
    expect(profile.stats).toEqual({ totalActivities: '4', bestScore: '185', lastActivityAt: '2026-11-29T23:30:00.000Z', achievements: 1 });
    // Another bot's member of the same Telegram id has none.
    expect((await t.call(RPC.gamification.getProfile, { botId: randomUUID(), telegramUserId: who })).stats).toEqual({ totalActivities: '0', achievements: 0 });
  });

  it('shows them in /me on the bot’s local date, in English and in Russian', async () => {
    const anna = kit.user('Anna', 'en');
    const ivan = kit.user('Иван', 'ru');
    for (const user of [anna, ivan]) {
      await record(spin.botId, String(user.id), 'a-1', '150', '2026-11-28T12:00:00.000Z');
      // 00:10 on the 30th in Berlin, still the 29th in UTC.
      await record(spin.botId, String(user.id), 'a-2', '140', '2026-11-29T23:10:00.000Z');
    }
    const annaChat = spin.chat(anna);
    annaChat.sendCommand('me');
    const en = await annaChat.waitForMessage(startsWith('Anna, your progress'));
    expect(en.text?.split('\n').slice(-3)).toEqual([
      '📊 2 activities, the last on 2026-11-30',
      '🎯 Best score: 150',
      '🏆 Not on the leaderboard yet: earn some XP first.',
    ]);

    const ivanChat = spin.chat(ivan);
    ivanChat.sendCommand('me');
    const ru = await ivanChat.waitForMessage(startsWith('Иван, твой прогресс'));
    expect(ru.text?.split('\n').slice(-3, -1)).toEqual(['📊 2 занятия, последнее 2026-11-30', '🎯 Лучший результат: 150']);
  });

  it('shows no statistics line before the first activity', async () => {
    const lea = kit.user('Lea', 'en');
    const chat = spin.chat(lea);
    chat.sendCommand('me');
    const reply = await chat.waitForMessage(startsWith('Lea, your progress'));
    expect(reply.text).not.toContain('📊');
  });
});
