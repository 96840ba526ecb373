import type { EventConsumerDefinition } from '@botplatform/bus';
import { BotAddedToGroupSchema, BotRemovedFromGroupSchema, RPC, subjectOf, type DecodedEvent, type EventMetadata } from '@botplatform/contracts';
import { waitFor } from '@botplatform/testing';
import { fromJson } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { BotGroupDirectory } from '../bot-group/bot-group-directory.js';
import { groupBoard, GroupTotals } from '../bot-group/group-totals.js';
import { onBotGroupChanged } from '../bot-group/on-bot-group-changed.consumer.js';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';
import { LeaderboardIndex } from './leaderboard-index.js';
import { boardJson, type Board } from './leaderboard.query.js';

type Kind = 'week' | 'month' | undefined;
const KINDS: Kind[] = [undefined, 'week', 'month'];

/**
 * The group boards in memory (ADR 0015, "Group boards"): sums of the group's bots' boards, equal to what the
 * SQL `GROUP BY` over the projection says, on the service (its own awards at once), on a replica started
 * later (rebuild) and following the service's awards (poll), after a bot leaves the group; a bot of
 * another owner (another group) never counted.
 */
describe('Group boards in memory', () => {
  let t: GamificationTestService;
  const replicas: LeaderboardIndex[] = [];
  const [botA, botB, otherOwnersBot, groupId, otherGroup] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];

  const award = (botId: string, telegramUserId: string, amount: number) =>
    t.call(RPC.gamification.award, { botId, telegramUserId, amount, reason: 'quiz', sourceId: randomUUID() });
  const consume = async (event: DecodedEvent) => {
    await t.service.dependencies.orm.em
      .fork()
      .transactional((tx) => (onBotGroupChanged as EventConsumerDefinition).handle(event, { em: tx, attempt: 1 } as never));
  };
  const envelope = (botId: string, type: string) =>
    ({ eventId: randomUUID(), type, schemaVersion: 1, botId, occurredAt: new Date() }) as unknown as EventMetadata;
  const join = (group: string, botId: string, owner: string) =>
    consume({
      envelope: envelope(botId, BotAddedToGroupSchema.typeName),
      subject: subjectOf(BotAddedToGroupSchema),
      schema: BotAddedToGroupSchema,
      message: fromJson(BotAddedToGroupSchema, {
        groupId: group,
        botId,
        ownerTelegramUserId: owner,
        addedAt: new Date().toISOString(),
        botName: botId.slice(0, 4),
      }),
    } as DecodedEvent);
  const leave = (group: string, botId: string) =>
    consume({
      envelope: envelope(botId, BotRemovedFromGroupSchema.typeName),
      subject: subjectOf(BotRemovedFromGroupSchema),
      schema: BotRemovedFromGroupSchema,
      message: fromJson(BotRemovedFromGroupSchema, { groupId: group, botId, removedAt: new Date().toISOString() }),
    } as DecodedEvent);

  const base = (telegramUserId: string) => ({ limit: 4, telegramUserId, neighbours: 1 });
  const options = (telegramUserId: string, period: Kind) => ({ ...base(telegramUserId), ...(period ? { period } : {}) });
  /** What SQL says: the GROUP BY over the projection (group-totals.ts `groupBoard`), for the asking bot's group. */
  const sqlBoard = async (botId: string, telegramUserId: string, period: Kind): Promise<Board> => {
    const group = await new BotGroupDirectory(t.service.dependencies.orm).groupOf(botId);
    if (!group) throw new Error(`${botId} is in no group`);
    const settings = period
      ? { period: { kind: period, start: (await t.call(RPC.gamification.getLeaderboard, { botId, limit: 1, period })).periodStart! } }
      : {};
    return groupBoard(t.service.dependencies.orm, group, { ...base(telegramUserId), ...settings });
  };
  /** The same board from a replica's memory (refusing an answer from SQL, which would prove nothing). */
  const replicaBoard = async (replica: LeaderboardIndex, botId: string, telegramUserId: string, period: Kind): Promise<Board> => {
    const group = (await new BotGroupDirectory(t.service.dependencies.orm).groupOf(botId))!;
    const sql = await sqlBoard(botId, telegramUserId, period);
    const lookup = await replica.groupBoard(
      group.groupId,
      group.bots.map((bot) => bot.botId),
      sql.period,
    );
    if (lookup.kind !== 'memory') throw new Error('the group board was not in memory');
    return new GroupTotals(t.service.dependencies.orm, replica).leaderboard(group, { ...base(telegramUserId), ...(sql.period ? { period: sql.period } : {}) });
  };
  /** The service's answer (its own index) beside SQL's, for every period and two askers in two bots. */
  const expectServiceEqualsSql = async () => {
    for (const period of KINDS) {
      for (const [botId, member] of [
        [botA, '9100000004'],
        [botB, '9100000001'],
      ]) {
        const served = await t.call(RPC.gamification.getLeaderboard, { botId, group: true, ...options(member, period) });
        expect(served).toEqual(boardJson(await sqlBoard(botId, member, period)));
      }
    }
  };
  const replicaEqualsSql = async (replica: LeaderboardIndex) => {
    for (const period of KINDS) {
      const [mine, sql] = [await replicaBoard(replica, botA, '9100000004', period), await sqlBoard(botA, '9100000004', period)];
      if (JSON.stringify(mine) !== JSON.stringify(sql)) return undefined;
    }
    return true;
  };

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_groups', new Date('2026-12-02T10:00:00.000Z'));
    for (const botId of [botA, botB]) {
      await t.call(RPC.gamification.configureLevels, {
        botId,
        levels: [
          { level: 1, minXp: '0' },
          { level: 2, minXp: '45' },
        ],
      });
    }
    await join(groupId, botA, '77');
    await join(groupId, botB, '77');
    await join(otherGroup, otherOwnersBot, '88');
  });

  afterAll(async () => {
    for (const replica of replicas) replica.onApplicationShutdown();
    await t?.close();
  });

  it("ranks the sums over the group's two bots with ties sharing a rank, as SQL does, and leaves another owner's bot out", async () => {
    // The service has the group's (empty) boards before the awards: what follows is kept by the awards themselves.
    expect((await t.call(RPC.gamification.getLeaderboard, { botId: botA, group: true, limit: 1 })).members).toBe('0');
    await award(botA, '9100000001', 30);
    await award(botB, '9100000001', 20); // 50 in the group
    await award(botA, '9100000002', 50); // 50: a tie, after 9100000001 by id
    await award(botB, '9100000003', 40);
    await award(botA, '9100000004', 10);
    await award(botB, '9100000004', 5);
    await award(botB, '9100000005', 15); // a tie with 9100000004
    await award(otherOwnersBot, '9100000001', 500);
    await award(otherOwnersBot, '9100000006', 1_000);
    // The service applies its own awards at once: no wait.
    await expectServiceEqualsSql();
    const served = await t.call(RPC.gamification.getLeaderboard, { botId: botA, group: true, ...options('9100000004', undefined) });
    expect(served.top?.map((e) => [e.rank, e.telegramUserId, e.totalXp])).toEqual([
      ['1', '9100000001', '50'],
      ['1', '9100000002', '50'],
      ['3', '9100000003', '40'],
      ['4', '9100000004', '15'],
    ]);
    expect(served.me?.around?.map((e) => [e.rank, e.telegramUserId])).toEqual([
      ['3', '9100000003'],
      ['4', '9100000004'],
      ['4', '9100000005'],
    ]);
    expect(served.members).toBe('5');
    // The stored group level of the entries shown: 9100000001's award in B crossed 45 with A's XP summed.
    expect(served.top?.slice(0, 2).map((e) => e.level)).toEqual([2, 2]);
  });

  it("a replica started later rebuilds the group boards, then follows the service's awards", async () => {
    const replica = new LeaderboardIndex(t.service.dependencies.orm, t.service.dependencies.store);
    replicas.push(replica);
    await replica.onApplicationBootstrap();
    expect(await replicaEqualsSql(replica)).toBe(true);

    await award(botB, '9100000005', 40); // 55: first
    await award(botA, '9100000003', 10); // 50: ties with two
    await award(otherOwnersBot, '9100000004', 100);
    await waitFor('the replica to follow', () => replicaEqualsSql(replica), { timeoutMs: 10_000 });
    const board = await replicaBoard(replica, botA, '9100000004', undefined);
    expect(board.top.map((e) => [e.rank, e.telegramUserId, e.xp])).toEqual([
      [1, '9100000005', 55],
      [2, '9100000001', 50],
      [2, '9100000002', 50],
      [2, '9100000003', 50],
    ]);
    await expectServiceEqualsSql();
  });

  it('a bot leaving the group takes its XP off the group boards, on the service and on the replica', async () => {
    const replica = replicas[0];
    await leave(groupId, botB);
    // The service reads bot_groups again when its group differs from the directory's: right at once.
    const served = await t.call(RPC.gamification.getLeaderboard, { botId: botA, group: true, ...options('9100000004', undefined) });
    expect(served).toEqual(boardJson(await sqlBoard(botA, '9100000004', undefined)));
    expect(served.top?.map((e) => [e.rank, e.telegramUserId, e.totalXp])).toEqual(
      [
        ['1', '9100000002', '50'],
        ['2', '9100000001', '30'],
        ['3', '9100000004', '10'],
        ['3', '9100000003', '10'],
      ].sort((a, b) => Number(a[0]) - Number(b[0]) || a[1].localeCompare(b[1])),
    );
    expect(served.members).toBe('4');
    await waitFor('the replica to follow the group change', () => replicaEqualsSql(replica), { timeoutMs: 10_000 });

    // An award in the bot that left is on no group board; one in the bot that stayed is, on both.
    await award(botB, '9100000002', 1_000);
    await award(botA, '9100000004', 60);
    await expect(t.call(RPC.gamification.getLeaderboard, { botId: botB, group: true, limit: 1 })).rejects.toMatchObject({ code: 'GAMIFICATION.NOT_IN_GROUP' });
    const after = await t.call(RPC.gamification.getLeaderboard, { botId: botA, group: true, ...options('9100000004', undefined) });
    expect(after).toEqual(boardJson(await sqlBoard(botA, '9100000004', undefined)));
    expect(after.me).toMatchObject({ rank: '1', totalXp: '70' });
    await waitFor('the replica to follow', () => replicaEqualsSql(replica), { timeoutMs: 10_000 });

    // The bot joining again brings its members' XP back at once.
    await join(groupId, botB, '77');
    await expectServiceEqualsSql();
    await waitFor('the replica to follow the bot joining again', () => replicaEqualsSql(replica), { timeoutMs: 10_000 });
    const rejoined = await t.call(RPC.gamification.getLeaderboard, { botId: botA, group: true, limit: 1 });
    expect(rejoined.top?.map((e) => [e.telegramUserId, e.totalXp])).toEqual([['9100000002', '1050']]);
  });
});
