import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { gamificationService } from '@botplatform/gamification';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import type { SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { INSECURE_DEVELOPMENT_TOKEN_KEYS, createUsersService, randomTestBotToken } from '@botplatform/users';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';

const OPERATOR = 'operator-token-for-the-group-xp-test';
const LEVELS = [
  { level: 1, minXp: '0' },
  { level: 2, minXp: '100' },
  { level: 3, minXp: '300' },
];
const startsWith = (prefix: string) => (message: Message) => message.text?.startsWith(prefix) ?? false;

/**
 * XP, level and badges shared by a bot group (ADR 0018): the users service groups an owner's bots, the
 * gamification service follows its events; /me and /top through the Telegram sandbox.
 */
describe('Bot groups in gamification', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let users: RunningService;
  let gamification: RunningService;
  let client: RpcClient;
  let kit: FeatureTestKit;
  let owner = 9_800_000;

  const http = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${users.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON replies field by field
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const newBot = async (name: string, ownerTelegramUserId: string): Promise<KitBot> => {
    const botId = (await http('POST', '/admin/bots', { name, token: randomTestBotToken(), ownerTelegramUserId })).body.botId as string;
    await client.call(RPC.gamification.configureLevels, { botId, levels: LEVELS });
    await client.call(RPC.gamification.defineBadge, {
      botId,
      badge: {
        key: 'first-win',
        names: [
          { language: 'en', name: `First win in ${name}` },
          { language: 'ru', name: `Первая победа в ${name}` },
        ],
        icon: '🥇',
      },
    });
    return kit.bot({ botId, name });
  };
  const followed = (botId: string, grouped: boolean) =>
    waitFor(`gamification to follow bot ${botId}'s group`, async () => {
      const rows = await gamification.dependencies.orm.em
        .fork()
        .getConnection()
        .execute<{ group_id: string | null }[]>('SELECT group_id FROM gamification.bot_groups WHERE bot_id = ?', [botId]);
      return grouped ? Boolean(rows[0]?.group_id) : rows.length > 0 && rows[0].group_id === null;
    });
  const award = (bot: KitBot, user: SandboxUser, amount: number, sourceId = randomUUID()) =>
    client.call(RPC.gamification.award, { botId: bot.botId, telegramUserId: String(user.id), amount, reason: 'training', sourceId });
  const me = async (bot: KitBot, user: SandboxUser) => {
    const chat = bot.chat(user);
    chat.sendCommand('me');
    return (await chat.waitForMessage(startsWith(`${user.firstName},`))).text!;
  };

  /** Bots A and B of one owner in a group, and C of another owner (refused by the group). */
  async function setUp() {
    const ownerId = String(++owner);
    const a = await newBot('SPIN', ownerId);
    const b = await newBot('Quiz', ownerId);
    const c = await newBot('Elsewhere', String(++owner));
    const groupId = (await http('POST', '/admin/groups', { ownerTelegramUserId: ownerId, name: 'Trainers' })).body.groupId as string;
    await http('POST', `/admin/groups/${groupId}/bots`, { botId: a.botId });
    await http('POST', `/admin/groups/${groupId}/bots`, { botId: b.botId });
    expect((await http('POST', `/admin/groups/${groupId}/bots`, { botId: c.botId })).body.code).toBe('USERS.GROUP_OWNER_MISMATCH');
    await followed(a.botId, true);
    await followed(b.botId, true);
    return { a, b, c, groupId };
  }

  beforeAll(async () => {
    database = await createTestDatabase('bp_bot_groups_gamification');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const rpc = { kind: 'in-process' as const, broker: new InProcessBroker() };
    const infrastructure = { databaseUrl: database.url, bus, rpc, httpPort: 0, logger: false as const };
    users = await startService(createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS, operatorToken: OPERATOR }), infrastructure);
    gamification = await startService(gamificationService, infrastructure);
    client = createRpcClient(rpc);
    const router = gamification.declarer!.router;
    kit = await FeatureTestKit.start({ rpc: client, declarations: () => [router.declaration()] });
  });

  afterAll(async () => {
    await kit?.close();
    await client?.close();
    await gamification?.close();
    await users?.close();
    await bus?.close();
    await database?.drop();
  });

  it('shows in /me of bot B a badge earned in bot A of the group, with where it was earned, and not in a bot of another owner', async () => {
    const { a, b, c } = await setUp();
    const ann = kit.user('Ann', 'en');
    expect(await client.call(RPC.gamification.awardBadge, { botId: a.botId, telegramUserId: String(ann.id), badgeKey: 'first-win' })).toMatchObject({
      newBadge: true,
    });
    expect(await me(b, ann)).toContain('🏅 Badges: 🥇 First win in SPIN (in SPIN)');
    expect(await me(a, ann)).toContain('🏅 Badges: 🥇 First win in SPIN\n');
    expect(await me(c, ann)).toContain('🏅 No badges yet.');
    const olga = kit.user('Olga', 'ru');
    await client.call(RPC.gamification.awardBadge, { botId: a.botId, telegramUserId: String(olga.id), badgeKey: 'first-win' });
    expect(await me(b, olga)).toContain('🏅 Значки: 🥇 Первая победа в SPIN (в SPIN)');
  });

  it('adds XP from both bots up to one total and one level; a redelivered award changes nothing', async () => {
    const { a, b, c } = await setUp();
    const bob = kit.user('Bob', 'en');
    const source = randomUUID();
    await award(a, bob, 80, source);
    await award(b, bob, 40);
    // The same award again (a redelivery) adds nothing.
    await award(a, bob, 80, source);
    await award(c, bob, 500);

    for (const bot of [a, b]) {
      const text = await me(bot, bob);
      expect(text).toContain('⭐ Level 2 · 120 XP');
      expect(text).toContain('180 XP more to level 3');
    }
    expect(await me(a, bob)).toContain('🔗 Shared by 2 bots of this group; 80 XP earned in this bot');
    expect(await me(b, bob)).toContain('40 XP earned in this bot');
    // The other owner's bot keeps its own.
    const inC = await me(c, bob);
    expect(inC).toContain('⭐ Level 3 · 500 XP');
    expect(inC).not.toContain('🔗');
  });

  it("keeps each badge's metadata (score, streak, date) and the bot it was earned in, shown in bot B and not in another owner's bot", async () => {
    const { a, b, c } = await setUp();
    const eva = kit.user('Eva', 'en');
    const first = await client.call(RPC.gamification.awardBadge, {
      botId: a.botId,
      telegramUserId: String(eva.id),
      badgeKey: 'first-win',
      score: '90',
      streak: 3,
    });
    expect(first).toMatchObject({ newBadge: true, score: '90', streak: 3 });
    // Awarded again with other figures: not new, and the first award's metadata stands.
    const again = await client.call(RPC.gamification.awardBadge, { botId: a.botId, telegramUserId: String(eva.id), badgeKey: 'first-win', score: '10' });
    expect(again).toEqual({ newBadge: false, awardedAt: first.awardedAt, score: '90', streak: 3 });

    const inB = await client.call(RPC.gamification.getProfile, { botId: b.botId, telegramUserId: String(eva.id) });
    expect(inB.badges).toEqual([{ key: 'first-win', awardedAt: first.awardedAt, botId: a.botId, botName: 'SPIN', score: '90', streak: 3 }]);
    expect(await me(b, eva)).toContain('🏅 Badges: 🥇 First win in SPIN (in SPIN)');
    const inC = await client.call(RPC.gamification.getProfile, { botId: c.botId, telegramUserId: String(eva.id) });
    expect(inC.badges).toEqual([]);
    expect(await me(c, eva)).toContain('🏅 No badges yet.');

    // Without a streak given, the member's current one is kept (none running: 0).
    const ivan = kit.user('Ivan', 'en');
    expect(await client.call(RPC.gamification.awardBadge, { botId: b.botId, telegramUserId: String(ivan.id), badgeKey: 'first-win' })).toMatchObject({
      newBadge: true,
      streak: 0,
    });
  });

  it('stores the group level and raises it once when two awards in two bots cross the threshold together', async () => {
    const { a, b, c, groupId } = await setUp();
    const members = Array.from({ length: 8 }, (_, i) => kit.user(`Racer${i}`, 'en'));
    const replies = await Promise.all(members.flatMap((user) => [award(a, user, 60), award(b, user, 60)]));
    for (const [i, user] of members.entries()) {
      const pair = replies.slice(2 * i, 2 * i + 2);
      // Neither bot's own level moves (60 XP each); the group's does, in exactly one of the two replies.
      expect(pair.map((reply) => reply.level)).toEqual([1, 1]);
      expect(pair.filter((reply) => reply.groupLevelReached).map((reply) => reply.groupLevelReached)).toEqual([{ fromLevel: 1, toLevel: 2 }]);
      const [row] = await gamification.dependencies.orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>(`SELECT count(*)::text AS n FROM gamification.event_store_events WHERE stream_id = ? AND type = 'GroupLevelReached'`, [
          `gamification-group-level-${groupId}-${user.id}`,
        ]);
      expect(row.n).toBe('1');
    }
    const [racer] = members;
    expect(await me(b, racer)).toContain('⭐ Level 2 · 120 XP');

    // A redelivered award raises nothing again; the next threshold (300) is raised once, by the award that reaches it.
    const source = randomUUID();
    const third = await award(a, racer, 200, source);
    expect(third.groupLevelReached).toEqual({ fromLevel: 2, toLevel: 3 });
    expect(third.groupLevel).toBe(3);
    const redelivered = await award(a, racer, 200, source);
    expect(redelivered).toMatchObject({ awarded: false, groupLevel: 3 });
    expect(redelivered.groupLevelReached).toBeUndefined();
    // Another owner's bot: no group, no group level.
    const elsewhere = await award(c, racer, 500);
    expect(elsewhere.groupLevel).toBeUndefined();
    expect(elsewhere.levelReached).toEqual({ fromLevel: 1, toLevel: 3 });
  });

  it('lists the group board under /top, and a bot that leaves takes its XP out of the group', async () => {
    const { a, b, groupId } = await setUp();
    const [kim, lev] = [kit.user('Kim', 'en'), kit.user('Lev', 'en')];
    await award(a, kim, 50);
    await award(b, kim, 100);
    await award(a, lev, 120);

    const chat = b.chat(lev);
    chat.sendCommand('top');
    const top = (await chat.waitForMessage(startsWith('🏆'))).text!;
    expect(top).toContain(['🔗 Top 2 of the group (2 bots)', '#1 · 150 XP', '#2 · 120 XP ← you'].join('\n'));

    await http('DELETE', `/admin/groups/${groupId}/bots/${b.botId}`);
    await followed(b.botId, false);
    const inA = await me(a, kim);
    expect(inA).toContain('⭐ Level 1 · 50 XP');
    expect(await me(b, kim)).toContain('⭐ Level 2 · 100 XP');
  });
});
