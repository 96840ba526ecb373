import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { RPC } from '@botplatform/contracts';
import type { SandboxChat, SandboxUser } from '@botplatform/telegram-sandbox';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';

/** 2026-11-30 13:00 in Berlin: the bot's time zone in this file. */
const T0 = new Date('2026-11-30T12:00:00.000Z');
const ZONE = 'Europe/Berlin';
const LEVELS = [
  { level: 1, minXp: '0' },
  { level: 2, minXp: '100' },
  { level: 3, minXp: '300' },
];

const startsWith = (prefix: string) => (message: Message) => message.text?.startsWith(prefix) ?? false;

/**
 * /me and /top as members use them: the service started as the platform starts it (its own database,
 * in-process transport, a test clock), and the feature test kit playing the gateway's routing against
 * the Telegram sandbox, in the bot's time zone.
 */
describe('The gamification screens in a bot', () => {
  let t: GamificationTestService;
  let kit: FeatureTestKit;
  let quiz: KitBot;

  const award = (user: SandboxUser, amount: number, bot: KitBot = quiz) =>
    t.call(RPC.gamification.award, { botId: bot.botId, telegramUserId: String(user.id), amount, reason: 'quiz', sourceId: randomUUID() });

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_bot', T0);
    const router = t.service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: { call: t.call }, declarations: () => [router.declaration()], timeZone: ZONE });
    quiz = await kit.bot({ botId: randomUUID(), name: 'Quiz' });
    await t.call(RPC.gamification.configureLevels, { botId: quiz.botId, levels: LEVELS });
    await t.call(RPC.gamification.setTimeZone, { botId: quiz.botId, timeZone: ZONE });
    await t.call(RPC.gamification.defineBadge, {
      botId: quiz.botId,
      badge: {
        key: 'first-win',
        names: [
          { language: 'en', name: 'First win' },
          { language: 'ru', name: 'Первая победа' },
        ],
        icon: '🥇',
      },
    });
    await t.call(RPC.gamification.defineBadge, { botId: quiz.botId, badge: { key: 'week', names: [{ language: 'en', name: 'A week in a row' }], icon: '🔥' } });
  });

  afterAll(async () => {
    await kit?.close();
    await t?.close();
  });

  it('declares /me and /top for everyone, described in both languages', () => {
    const declaration = t.service.declarer!.router.declaration();
    expect(declaration.commands?.map((command) => [command.command, command.audience])).toEqual([
      ['me', 'AUDIENCE_EVERYONE'],
      ['top', 'AUDIENCE_EVERYONE'],
    ]);
    expect(declaration.commands?.[0]?.descriptions).toEqual({ en: 'your level, XP, badges and streak', ru: 'твой уровень, опыт, значки и серия' });
  });

  it('shows a newcomer level 1, what level 2 needs, no badges, no streak and no rank', async () => {
    const { chat } = member('Nina', 'en');
    chat.sendCommand('me');
    const reply = await chat.waitForMessage(startsWith('Nina, your progress'));
    expect(reply.text).toBe(
      [
        'Nina, your progress in this bot',
        '⭐ Level 1 · 0 XP',
        '100 XP more to level 2 (from 100 XP)',
        '🏅 No badges yet.',
        '🔥 Streak: 0 days (best: 0)',
        '🏆 Not on the leaderboard yet: earn some XP first.',
      ].join('\n'),
    );
  });

  it("shows a member's level, the XP the next level needs, badges in their language, streak and rank, in Russian", async () => {
    const boris = member('Борис', 'ru');
    const other = member('Olga', 'en');
    await award(other.user, 500);
    await award(boris.user, 120);
    await award(boris.user, 30);
    // XP in another bot is not this bot's.
    await award(boris.user, 1_000, await kit.bot({ name: 'Other' }));
    await t.call(RPC.gamification.awardBadge, { botId: quiz.botId, telegramUserId: String(boris.user.id), badgeKey: 'first-win' });
    await t.call(RPC.gamification.awardBadge, { botId: quiz.botId, telegramUserId: String(boris.user.id), badgeKey: 'week' });
    for (const at of ['2026-11-28T10:00:00.000Z', '2026-11-29T10:00:00.000Z', '2026-11-30T10:00:00.000Z']) {
      await t.call(RPC.gamification.recordActivity, { botId: quiz.botId, telegramUserId: String(boris.user.id), occurredAt: at });
    }

    boris.chat.sendCommand('me');
    const reply = await boris.chat.waitForMessage(startsWith('Борис, твой прогресс'));
    expect(reply.text).toBe(
      [
        'Борис, твой прогресс в этом боте',
        '⭐ Уровень 2 · 150 XP',
        'До уровня 3 осталось 150 XP (нужно 300 XP)',
        '🏅 Значки: 🥇 Первая победа, 🔥 A week in a row',
        '🔥 Серия: 3 дня (рекорд: 3)',
        // Olga is ahead; Nina has no XP, so she is not on the board.
        '🏆 Место в этом боте: #2 из 2',
      ].join('\n'),
    );
  });

  it("lists this bot's top 10 with shared ranks for ties, and the reader's rank below it", async () => {
    const board = await kit.bot({ name: 'Board' });
    await t.call(RPC.gamification.configureLevels, { botId: board.botId, levels: LEVELS });
    const players = Array.from({ length: 12 }, (_, i) => member(`P${i + 1}`, 'en', board));
    // 120, 110, 100, 100, 80, ... 10: the third and fourth tie.
    const xp = [120, 110, 100, 100, 80, 70, 60, 50, 40, 30, 20, 10];
    for (const [i, player] of players.entries()) await award(player.user, xp[i], board);

    const last = players[11];
    last.chat.sendCommand('top');
    const reply = await last.chat.waitForMessage(startsWith('🏆 Top 10'));
    expect(reply.text).toBe(
      [
        '🏆 Top 10 of this bot',
        '#1 · 120 XP · level 2',
        '#2 · 110 XP · level 2',
        '#3 · 100 XP · level 2',
        '#3 · 100 XP · level 2',
        '#5 · 80 XP · level 1',
        '#6 · 70 XP · level 1',
        '#7 · 60 XP · level 1',
        '#8 · 50 XP · level 1',
        '#9 · 40 XP · level 1',
        '#10 · 30 XP · level 1',
        '',
        'Your rank: #12 of 12 with 10 XP',
      ].join('\n'),
    );

    const third = players[3];
    third.chat.sendCommand('top');
    const mine = await third.chat.waitForMessage(startsWith('🏆 Top 10'));
    expect(mine.text?.split('\n')[4]).toBe('#3 · 100 XP · level 2 ← you');
    expect(mine.text?.split('\n').at(-1)).toBe('Your rank: #3 of 12 with 100 XP');

    const newcomer = member('Zed', 'ru', board);
    newcomer.chat.sendCommand('top');
    const unranked = await newcomer.chat.waitForMessage(startsWith('🏆 Топ-10'));
    expect(unranked.text?.split('\n').at(-1)).toBe('В рейтинге тебя пока нет.');
  });

  it('says so when no one has XP in the bot yet', async () => {
    const empty = await kit.bot({ name: 'Empty' });
    const { chat } = member('Lea', 'en', empty);
    chat.sendCommand('top');
    await chat.waitForMessage((message) => message.text === 'No one has XP in this bot yet.');
  });

  function member(firstName: string, language: string, bot: KitBot = quiz): { user: SandboxUser; chat: SandboxChat } {
    const user = kit.user(firstName, language);
    return { user, chat: bot.chat(user) };
  }
});
