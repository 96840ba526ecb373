import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { randomBytes } from 'node:crypto';
import { randomTestBotToken } from '../bot/testing/register-test-bot.js';
import { createUsersService } from '../users.service.js';

const OPERATOR = 'operator-token-for-the-bot-groups-test';

/** Bot groups through the admin HTTP API: the operator groups an owner's bots, a bot's token sees its own group. */
describe('Bot groups (admin API)', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let users: RunningService;

  const http = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${users.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON replies field by field
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  };
  const registerBot = async (name: string, ownerTelegramUserId: string) => {
    const { status, body } = await http('POST', '/admin/bots', OPERATOR, { name, token: randomTestBotToken(), ownerTelegramUserId });
    expect(status).toBe(201);
    return body as { botId: string; apiToken: string };
  };
  const groupEvents = async () =>
    users.dependencies.orm.em
      .fork()
      .getConnection()
      .execute<{ type: string }[]>("SELECT type FROM users.event_store_events WHERE stream_id LIKE 'bot-group-%' ORDER BY global_position");

  beforeAll(async () => {
    database = await createTestDatabase('bp_bot_groups');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const definition = createUsersService({ tokenKeys: `k1:${randomBytes(32).toString('base64')}`, operatorToken: OPERATOR });
    users = await startService(definition, {
      databaseUrl: database.url,
      bus,
      rpc: { kind: 'in-process', broker: new InProcessBroker() },
      httpPort: 0,
      logger: false,
    });
  });

  afterAll(async () => {
    await users?.close();
    await bus?.close();
    await database?.drop();
  });

  it('groups the bots of one owner, refuses a bot of another owner with USERS.GROUP_OWNER_MISMATCH, and lets a bot leave', async () => {
    const spin = await registerBot('SPIN trainer', '3001');
    const quiz = await registerBot('Quiz', '3001');
    const stranger = await registerBot('Somebody else', '3002');

    const created = await http('POST', '/admin/groups', OPERATOR, { ownerTelegramUserId: '3001', name: 'Trainers' });
    expect(created.status).toBe(201);
    const groupId = created.body.groupId as string;
    expect(created.body).toMatchObject({ ownerTelegramUserId: '3001', name: 'Trainers', botIds: [] });

    expect((await http('POST', `/admin/groups/${groupId}/bots`, OPERATOR, { botId: spin.botId })).status).toBe(200);
    const both = await http('POST', `/admin/groups/${groupId}/bots`, OPERATOR, { botId: quiz.botId });
    expect(both.body.botIds).toEqual([spin.botId, quiz.botId]);

    const refused = await http('POST', `/admin/groups/${groupId}/bots`, OPERATOR, { botId: stranger.botId });
    expect(refused).toMatchObject({ status: 400, body: { code: 'USERS.GROUP_OWNER_MISMATCH' } });
    expect((await http('GET', `/admin/bots/${stranger.botId}/group`, OPERATOR)).body).toEqual({ botId: stranger.botId, group: null });

    // Added again: nothing new is recorded.
    const before = (await groupEvents()).length;
    expect((await http('POST', `/admin/groups/${groupId}/bots`, OPERATOR, { botId: spin.botId })).status).toBe(200);
    expect((await groupEvents()).length).toBe(before);

    const left = await http('DELETE', `/admin/groups/${groupId}/bots/${quiz.botId}`, OPERATOR);
    expect(left).toMatchObject({ status: 200, body: { botIds: [spin.botId] } });
    expect((await http('GET', `/admin/bots/${quiz.botId}/group`, quiz.apiToken)).body).toEqual({ botId: quiz.botId, group: null });
    expect((await groupEvents()).map((e) => e.type)).toEqual(['BotGroupCreated', 'BotAddedToGroup', 'BotAddedToGroup', 'BotRemovedFromGroup']);
  });

  it('keeps a bot in one group: another group of the same owner must wait until it leaves', async () => {
    const bot = await registerBot('One group', '3101');
    const first = (await http('POST', '/admin/groups', OPERATOR, { ownerTelegramUserId: '3101', name: 'First' })).body.groupId as string;
    const second = (await http('POST', '/admin/groups', OPERATOR, { ownerTelegramUserId: '3101', name: 'Second' })).body.groupId as string;
    expect((await http('POST', `/admin/groups/${first}/bots`, OPERATOR, { botId: bot.botId })).status).toBe(200);
    expect(await http('POST', `/admin/groups/${second}/bots`, OPERATOR, { botId: bot.botId })).toMatchObject({
      status: 409,
      body: { code: 'USERS.BOT_ALREADY_IN_GROUP' },
    });
    await http('DELETE', `/admin/groups/${first}/bots/${bot.botId}`, OPERATOR);
    expect((await http('POST', `/admin/groups/${second}/bots`, OPERATOR, { botId: bot.botId })).body.botIds).toEqual([bot.botId]);
  });

  it('lets exactly one of two groups take a bot when both add it at once', async () => {
    const bot = await registerBot('Raced', '3201');
    const groups = await Promise.all(
      ['Left', 'Right'].map(async (name) => (await http('POST', '/admin/groups', OPERATOR, { ownerTelegramUserId: '3201', name })).body.groupId as string),
    );
    const answers = await Promise.all(groups.map((groupId) => http('POST', `/admin/groups/${groupId}/bots`, OPERATOR, { botId: bot.botId })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const [row] = await users.dependencies.orm.em
      .fork()
      .getConnection()
      .execute<{ count: string }[]>('SELECT count(*) AS count FROM users.bot_group_members WHERE bot_id = ?', [bot.botId]);
    expect(Number(row.count)).toBe(1);
  });

  it("scopes a bot's token: it reads its own bot's group only and changes no group", async () => {
    const a = await registerBot('Scoped A', '3301');
    const b = await registerBot('Scoped B', '3301');
    const groupId = (await http('POST', '/admin/groups', OPERATOR, { ownerTelegramUserId: '3301', name: 'Scoped' })).body.groupId as string;
    await http('POST', `/admin/groups/${groupId}/bots`, OPERATOR, { botId: a.botId });

    const own = await http('GET', `/admin/bots/${a.botId}/group`, a.apiToken);
    expect(own).toMatchObject({ status: 200, body: { botId: a.botId, group: { groupId, botIds: [a.botId] } } });
    expect(await http('GET', `/admin/bots/${a.botId}/group`, b.apiToken)).toMatchObject({ status: 403, body: { code: 'USERS.FORBIDDEN_TENANT' } });
    for (const [method, path, body] of [
      ['POST', '/admin/groups', { ownerTelegramUserId: '3301', name: 'Mine' }],
      ['POST', `/admin/groups/${groupId}/bots`, { botId: b.botId }],
      ['DELETE', `/admin/groups/${groupId}/bots/${a.botId}`, undefined],
      ['GET', `/admin/groups/${groupId}`, undefined],
    ] as const) {
      expect(await http(method, path, a.apiToken, body)).toMatchObject({ status: 403, body: { code: 'USERS.OPERATOR_ONLY' } });
    }
  });

  it('answers typed errors for bad input and unknown ids, and writes nothing', async () => {
    const before = (await groupEvents()).length;
    expect(await http('POST', '/admin/groups', OPERATOR, { ownerTelegramUserId: '-1', name: '' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION.FAILED' },
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await http('POST', `/admin/groups/${unknown}/bots`, OPERATOR, { botId: unknown })).toMatchObject({
      status: 404,
      body: { code: 'USERS.GROUP_NOT_FOUND' },
    });
    const groupId = (await http('POST', '/admin/groups', OPERATOR, { ownerTelegramUserId: '3401', name: 'Empty' })).body.groupId as string;
    expect(await http('POST', `/admin/groups/${groupId}/bots`, OPERATOR, { botId: unknown })).toMatchObject({
      status: 404,
      body: { code: 'USERS.BOT_NOT_FOUND' },
    });
    expect((await groupEvents()).length).toBe(before + 1);
  });
});
