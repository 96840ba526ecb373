import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { randomBytes } from 'node:crypto';
import { randomTestBotToken } from '../bot/testing/register-test-bot.js';
import { createUsersService } from '../users.service.js';

const OPERATOR = 'operator-token-for-the-admin-api-test';

/** The HTTP admin API of the users service: bearer tokens, tenant scope, JSON errors. */
describe('Admin HTTP API', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let users: RunningService;
  let rpc: RpcClient;
  let botA: { botId: string; apiToken: string };
  let botB: { botId: string; apiToken: string };

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
  const registerBot = async (name: string, ownerTelegramUserId = '900') => {
    const { status, body } = await http('POST', '/admin/bots', OPERATOR, { name, token: randomTestBotToken(), ownerTelegramUserId });
    expect(status).toBe(201);
    return body as { botId: string; apiToken: string };
  };
  const version = (botId: string) => users.dependencies.store.streamVersion(`bot-${botId}`);
  /** A request whose body is sent as given, for bodies JSON.stringify cannot make. */
  const send = async (method: string, path: string, token: string, body: string, contentType = 'application/json') => {
    const response = await fetch(`${users.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON replies field by field
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const eventCount = async () => {
    const [row] = await users.dependencies.orm.em.fork().getConnection().execute<{ count: string }[]>('SELECT count(*) AS count FROM users.event_store_events');
    return Number(row.count);
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_admin_api');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    const definition = createUsersService({ tokenKeys: `k1:${randomBytes(32).toString('base64')}`, operatorToken: OPERATOR });
    users = await startService(definition, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    rpc = createRpcClient({ kind: 'in-process', broker });
    botA = await registerBot('Bot A');
    botB = await registerBot('Bot B');
  });

  afterAll(async () => {
    await rpc?.close();
    await users?.close();
    await bus?.close();
    await database?.drop();
  });

  describe('authentication', () => {
    it('answers 401 without a token, with a malformed one, a wrong secret or a wrong operator token', async () => {
      const wrongSecret = `${botA.apiToken.slice(0, -4)}AAAA`;
      for (const token of [undefined, 'garbage', wrongSecret, `bp_abcdefgh_${'x'.repeat(43)}`, `${OPERATOR}x`]) {
        const { status, body } = await http('GET', `/admin/bots/${botA.botId}/flags`, token);
        expect(status).toBe(401);
        expect(body).toMatchObject({ code: 'USERS.UNAUTHENTICATED' });
      }
      expect((await http('GET', '/admin/bots', botA.apiToken.slice(0, -1))).status).toBe(401);
    });

    it('shows the API token once: 201 with botId and apiToken, and only a hash is stored', async () => {
      const token = randomTestBotToken();
      const { status, body } = await http('POST', '/admin/bots', OPERATOR, { name: 'Once', token, ownerTelegramUserId: '901', timezone: 'Europe/Paris' });
      expect(status).toBe(201);
      expect(Object.keys(body).sort()).toEqual(['apiToken', 'botId']);
      const [row] = await users.dependencies.orm.em
        .fork()
        .getConnection()
        .execute<{ row: string }[]>(`SELECT b::text AS row FROM users.bots b WHERE bot_id = '${body.botId}'`);
      expect(row.row).not.toContain(body.apiToken.slice('bp_12345678_'.length));
      expect(row.row).not.toContain(token.split(':')[1]);
      const me = await http('GET', '/admin/bots/me', body.apiToken);
      expect(me.status).toBe(200);
      expect(me.body.bot).toMatchObject({ botId: body.botId, name: 'Once', active: true });
      expect(me.body.config.settings).toContainEqual(expect.objectContaining({ key: 'timezone', valueJson: '"Europe/Paris"' }));
      expect(JSON.stringify(me.body)).not.toMatch(/apiToken|bp_|ciphertext|hash/);
    });

    it('stops accepting an API token once it is reissued', async () => {
      const bot = await registerBot('Reissue');
      const { status, body } = await http('POST', `/admin/bots/${bot.botId}/api-token`, OPERATOR);
      expect(status).toBe(201);
      expect((await http('GET', '/admin/bots/me', bot.apiToken)).status).toBe(401);
      expect((await http('GET', '/admin/bots/me', body.apiToken)).body.bot.botId).toBe(bot.botId);
    });
  });

  describe('tenant scope', () => {
    it("refuses bot A's token on every route of bot B with 403 USERS.FORBIDDEN_TENANT, and leaves B unchanged", async () => {
      await http('PUT', `/admin/bots/${botB.botId}/flags`, OPERATOR, { flag: 'payments', enabled: true });
      const before = await version(botB.botId);
      const attempts: [string, string, unknown?][] = [
        ['GET', `/admin/bots/${botB.botId}`],
        ['GET', `/admin/bots/${botB.botId}/flags`],
        ['PUT', `/admin/bots/${botB.botId}/flags`, { flag: 'payments', enabled: false }],
        ['GET', `/admin/bots/${botB.botId}/settings`],
        ['PUT', `/admin/bots/${botB.botId}/settings`, { key: 'quota.daily.user', value: 1 }],
        ['GET', `/admin/bots/${botB.botId}/members?query=ann`],
        ['GET', `/admin/bots/${botB.botId}/audit`],
      ];
      for (const [method, path, body] of attempts) {
        const answer = await http(method, path, botA.apiToken, body);
        expect({ path, method, status: answer.status, code: answer.body.code }).toEqual({ path, method, status: 403, code: 'USERS.FORBIDDEN_TENANT' });
      }
      expect(await version(botB.botId)).toBe(before);
      expect((await http('GET', `/admin/bots/${botB.botId}/flags`, botB.apiToken)).body.flags).toEqual({ payments: true });
    });

    it('answers 403 the same way for a bot that does not exist, so existence never leaks', async () => {
      const answer = await http('GET', '/admin/bots/00000000-0000-4000-8000-000000000000/flags', botA.apiToken);
      expect(answer).toEqual({ status: 403, body: { code: 'USERS.FORBIDDEN_TENANT', message: expect.any(String) } });
      expect((await http('GET', '/admin/bots/00000000-0000-4000-8000-000000000000/flags', OPERATOR)).status).toBe(404);
    });

    it('keeps operator routes to the operator: a bot token cannot register, list, deactivate or rotate', async () => {
      const attempts: [string, string, unknown?][] = [
        ['POST', '/admin/bots', { name: 'X', token: randomTestBotToken(), ownerTelegramUserId: '1' }],
        ['GET', '/admin/bots'],
        ['POST', `/admin/bots/${botA.botId}/deactivate`, {}],
        ['POST', `/admin/bots/${botA.botId}/rotate-token`, { token: randomTestBotToken() }],
        ['POST', `/admin/bots/${botA.botId}/api-token`],
      ];
      for (const [method, path, body] of attempts) {
        const answer = await http(method, path, botA.apiToken, body);
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 403, code: 'USERS.OPERATOR_ONLY' });
      }
      expect((await http('GET', '/admin/bots/me', OPERATOR)).status).toBe(403);
    });
  });

  describe('flags and settings', () => {
    it('sets a flag with the bot token and records it once; the same value again records nothing', async () => {
      const before = await version(botA.botId);
      const first = await http('PUT', `/admin/bots/${botA.botId}/flags`, botA.apiToken, { flag: 'referrals', enabled: true });
      expect(first.status).toBe(200);
      expect(first.body.flags).toEqual({ referrals: true });
      expect((await http('PUT', `/admin/bots/${botA.botId}/flags`, botA.apiToken, { flag: 'referrals', enabled: true })).status).toBe(200);
      expect(await version(botA.botId)).toBe(before + 1);
      const [event] = (await users.dependencies.store.readStream(`bot-${botA.botId}`)).events.slice(-1);
      expect(event.metadata.actor).toEqual({ kind: 'admin', id: `api:${botA.apiToken.split('_')[1]}` });
    });

    it('writes typed settings and refuses bad ones with 400 and a code, writing nothing', async () => {
      const put = (body: unknown) => http('PUT', `/admin/bots/${botA.botId}/settings`, botA.apiToken, body);
      expect((await put({ key: 'menu', type: 'json', value: { items: [1, 'two'] }, description: 'Main menu' })).status).toBe(200);
      expect((await put({ key: 'quota.daily.plan.pro', value: 50 })).status).toBe(200);
      expect((await put({ key: 'welcome', type: 'string', value: 'Hi!', description: 'Greeting' })).status).toBe(200);
      const before = await version(botA.botId);
      expect(await put({ key: 'quota.daily.user', value: -1 })).toMatchObject({ status: 400, body: { code: 'USERS.INVALID_SETTING' } });
      expect(await put({ key: 'quota.daily.user', value: 'ten' })).toMatchObject({ status: 400, body: { code: 'USERS.SETTING_TYPE_MISMATCH' } });
      expect(await put({ key: 'timezone', value: 'Atlantis/Capital' })).toMatchObject({ status: 400, body: { code: 'USERS.INVALID_SETTING' } });
      expect(await put({ key: 'welcome', value: 5 })).toMatchObject({ status: 400, body: { code: 'USERS.SETTING_TYPE_MISMATCH' } });
      expect(await put({ key: 'farewell', value: 'Bye' })).toMatchObject({
        status: 400,
        body: { code: 'USERS.INVALID_SETTING', message: expect.stringContaining('type') },
      });
      expect(await put({ key: 'menu', value: null })).toMatchObject({ status: 400, body: { code: 'VALIDATION.FAILED' } });
      expect(await put({ key: 'quota.daily.user', type: 'float', value: 1 })).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION.FAILED', fields: { type: expect.any(Array) } },
      });
      expect(await put({ value: 1, extra: true })).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION.FAILED', fields: { key: expect.any(Array), extra: expect.any(Array) } },
      });
      expect(await version(botA.botId)).toBe(before);
      const { body } = await http('GET', `/admin/bots/${botA.botId}/settings`, botA.apiToken);
      expect(body.settings).toEqual(
        expect.arrayContaining([
          { key: 'menu', type: 'SETTING_TYPE_JSON', valueJson: '{"items":[1,"two"]}', description: 'Main menu' },
          expect.objectContaining({ key: 'quota.daily.plan.pro', type: 'SETTING_TYPE_INT', valueJson: '50' }),
        ]),
      );
    });
  });

  describe('operator', () => {
    it('lists bots, deactivates and reactivates one, and rotates its token (409 for a duplicate, 400 for another bot)', async () => {
      const bot = await registerBot('Ops');
      const list = await http('GET', '/admin/bots', OPERATOR);
      expect(list.body.bots.map((b: { botId: string }) => b.botId)).toEqual(expect.arrayContaining([botA.botId, botB.botId, bot.botId]));
      expect(await http('POST', `/admin/bots/${bot.botId}/deactivate`, OPERATOR, { reason: 'paused' })).toMatchObject({
        status: 200,
        body: { changed: true, bot: { active: false } },
      });
      expect((await http('GET', '/admin/bots?activeOnly=true', OPERATOR)).body.bots.map((b: { botId: string }) => b.botId)).not.toContain(bot.botId);
      expect(await http('POST', `/admin/bots/${bot.botId}/activate`, OPERATOR)).toMatchObject({ status: 200, body: { changed: true, bot: { active: true } } });
      expect(await http('POST', `/admin/bots/${bot.botId}/rotate-token`, OPERATOR, { token: randomTestBotToken() })).toMatchObject({
        status: 400,
        body: { code: 'USERS.INVALID_BOT_TOKEN' },
      });
      const token = randomTestBotToken();
      await http('POST', '/admin/bots', OPERATOR, { name: 'Dup', token, ownerTelegramUserId: '1' });
      expect(await http('POST', '/admin/bots', OPERATOR, { name: 'Dup', token, ownerTelegramUserId: '1' })).toMatchObject({
        status: 409,
        body: { code: 'USERS.BOT_ALREADY_REGISTERED' },
      });
      expect(await http('POST', '/admin/bots', OPERATOR, { name: '', token, ownerTelegramUserId: 'x' })).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION.FAILED', fields: { name: expect.any(Array), ownerTelegramUserId: expect.any(Array) } },
      });
    });
  });

  describe('members and audit', () => {
    it("finds a bot's own members only, and shows its admin actions newest first", async () => {
      const join = (botId: string, telegramUserId: string, firstName: string) =>
        rpc.call(RPC.users.registerUser, { botId, telegramUserId, firstName, username: firstName.toLowerCase() });
      await join(botA.botId, '5550001', 'Annabel');
      await join(botB.botId, '5550002', 'Annette');
      const found = await http('GET', `/admin/bots/${botA.botId}/members?query=ann`, botA.apiToken);
      expect(found.status).toBe(200);
      expect(found.body.members.map((m: { telegramUserId: string }) => m.telegramUserId)).toEqual(['5550001']);

      const audit = await http('GET', `/admin/bots/${botA.botId}/audit?limit=2`, botA.apiToken);
      expect(audit.status).toBe(200);
      expect(audit.body.entries).toHaveLength(2);
      expect(audit.body.entries.every((e: { botId: string }) => e.botId === botA.botId)).toBe(true);
      expect(audit.body.nextCursor).toEqual(expect.any(String));
      const flags = await http('GET', `/admin/bots/${botA.botId}/audit?action=bot.feature-flag-changed`, botA.apiToken);
      expect(flags.body.entries).toEqual([
        expect.objectContaining({ action: 'bot.feature-flag-changed', target: 'flag:referrals', admin: `api:${botA.apiToken.split('_')[1]}` }),
      ]);
      expect(JSON.stringify((await http('GET', `/admin/bots/${botA.botId}/audit?limit=100`, OPERATOR)).body)).not.toMatch(/apiTokenHash|ciphertext/);
    });
  });

  describe('listing members', () => {
    const ids = (answer: { body: Record<string, unknown> }) => (answer.body.members as { telegramUserId: string }[]).map((m) => m.telegramUserId);
    let list: { botId: string; apiToken: string };
    const get = (query = '', token = list.apiToken) => http('GET', `/admin/bots/${list.botId}/members${query}`, token);
    const act = (action: typeof RPC.users.blockMember, target: string, reason?: string) =>
      rpc.call(action, { botId: list.botId, admin: 'operator', targetTelegramUserId: target, ...(reason ? { reason } : {}) });

    beforeAll(async () => {
      list = await registerBot('Bot List', '6660900');
      // Ascending ids in join order: newest first is then the same order whether or not two joins share a timestamp.
      for (const n of [1, 2, 3, 4, 5]) {
        await rpc.call(RPC.users.registerUser, { botId: list.botId, telegramUserId: `666000${n}`, firstName: `Lina ${n}`, username: `lina${n}` });
      }
      await rpc.call(RPC.users.registerUser, { botId: botB.botId, telegramUserId: '6660003', firstName: 'Lina 3', username: 'lina3' });
      await rpc.call(RPC.users.registerUser, { botId: botB.botId, telegramUserId: '6660009', firstName: 'Lina 9', username: 'lina9' });
      await act(RPC.users.approveAdmin, '6660002');
      await act(RPC.users.blockMember, '6660004', 'spam');
      await rpc.call(RPC.users.recordBotBlocked, { botId: list.botId, telegramUserId: '6660001', blocked: true });
    });

    it("lists all of a bot's members without a query, newest first, and none of another bot's", async () => {
      const all = await get();
      expect(all.status).toBe(200);
      expect(ids(all)).toEqual(['6660005', '6660004', '6660003', '6660002', '6660001']);
      expect(all.body.nextCursor).toBeUndefined();
      expect((all.body.members as { botId: string }[]).every((m) => m.botId === list.botId)).toBe(true);
      expect(ids(await get('', OPERATOR))).toEqual(ids(all));
      expect(ids(await get('?query=lina'))).toEqual(ids(all));
      expect(ids(await get('?query=@lina3'))).toEqual(['6660003']);
      expect(ids(await get('?query=6660009'))).toEqual([]);
      expect(await get('', botB.apiToken)).toMatchObject({ status: 403, body: { code: 'USERS.FORBIDDEN_TENANT' } });
    });

    it('pages with the cursor of the previous page until the last one, which has none', async () => {
      const seen: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await get(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(ids(page));
        cursor = page.body.nextCursor as string | undefined;
      } while (cursor && seen.length < 5);
      expect(seen).toEqual([['6660005', '6660004'], ['6660003', '6660002'], ['6660001']]);
      const firstUser = await get('?role=user&limit=1');
      expect(ids(firstUser)).toEqual(['6660005']);
      expect(ids(await get(`?role=user&limit=50&cursor=${firstUser.body.nextCursor}`))).toEqual(['6660004', '6660003', '6660001']);
    });

    it('narrows the list by role and by status', async () => {
      expect(ids(await get('?role=admin'))).toEqual(['6660002']);
      expect(ids(await get('?role=owner'))).toEqual([]);
      expect(ids(await get('?status=blocked_by_admin'))).toEqual(['6660004']);
      expect(ids(await get('?status=bot_blocked_by_user'))).toEqual(['6660001']);
      expect(ids(await get('?role=user&status=active'))).toEqual(['6660005', '6660003']);
      expect(ids(await get('?status=active&query=lina'))).toEqual(['6660005', '6660003', '6660002']);
    });

    it('refuses a bad role, status or limit with VALIDATION.FAILED naming the field, and a forged cursor with USERS.INVALID_CURSOR', async () => {
      const answers: string[] = [];
      for (const query of ['role=boss', 'status=blocked', 'limit=0', 'limit=51', 'query=']) {
        const { status, body } = await get(`?${query}`);
        answers.push(`${query}: ${status} ${body.code} ${Object.keys(body.fields ?? {}).join()}`);
      }
      expect(answers).toEqual([
        'role=boss: 400 VALIDATION.FAILED role',
        'status=blocked: 400 VALIDATION.FAILED status',
        'limit=0: 400 VALIDATION.FAILED limit',
        'limit=51: 400 VALIDATION.FAILED limit',
        'query=: 400 VALIDATION.FAILED query',
      ]);
      const forged = [
        'bm90IGEgY3Vyc29y',
        Buffer.from('["yesterday","6660003"]').toString('base64url'),
        Buffer.from('["2026-02-31T10:00:00.000000+00:00","6660003"]').toString('base64url'),
        Buffer.from('["2026-11-23T10:00:00.000000+00:00","0"]').toString('base64url'),
      ];
      for (const cursor of forged) {
        expect({ cursor, ...(await get(`?cursor=${cursor}`)) }).toMatchObject({ cursor, status: 400, body: { code: 'USERS.INVALID_CURSOR' } });
      }
    });

    it('lists over request/reply too (rpc.users.list-members), with the same filters and cursor', async () => {
      const first = await rpc.call(RPC.users.listMembers, { botId: list.botId, limit: 3 });
      expect(first.members!.map((m) => m.telegramUserId)).toEqual(['6660005', '6660004', '6660003']);
      const rest = await rpc.call(RPC.users.listMembers, { botId: list.botId, cursor: first.nextCursor! });
      expect(rest.members!.map((m) => m.telegramUserId)).toEqual(['6660002', '6660001']);
      expect(rest.nextCursor).toBeUndefined();
      const blocked = await rpc.call(RPC.users.listMembers, { botId: list.botId, status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN' });
      expect(blocked.members!.map((m) => m.telegramUserId)).toEqual(['6660004']);
      const admins = await rpc.call(RPC.users.listMembers, { botId: list.botId, role: 'MEMBER_ROLE_ADMIN', query: 'lina' });
      expect(admins.members!.map((m) => m.telegramUserId)).toEqual(['6660002']);
      await expect(rpc.call(RPC.users.listMembers, { botId: list.botId, cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({ code: 'USERS.INVALID_CURSOR' });
      await expect(rpc.call(RPC.users.listMembers, { botId: list.botId, role: 'MEMBER_ROLE_UNSPECIFIED' })).rejects.toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: { role: expect.any(Array) },
      });
    });
  });

  describe('refused input', () => {
    const NUL = '\u0000';

    it('refuses a NUL character in a query string with 400 VALIDATION.FAILED naming the field', async () => {
      const members = await http('GET', `/admin/bots/${botA.botId}/members?query=%00`, botA.apiToken);
      expect(members).toEqual({
        status: 400,
        body: { code: 'VALIDATION.FAILED', message: expect.any(String), fields: { query: [expect.stringContaining('NUL')] } },
      });
      expect((await http('GET', `/admin/bots/${botA.botId}/members?query=ann%00`, OPERATOR)).body).toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: { query: expect.any(Array) },
      });
      const answers: string[] = [];
      for (const field of ['admin', 'target', 'action', 'cursor']) {
        const { status, body } = await http('GET', `/admin/bots/${botA.botId}/audit?${field}=a%00b`, botA.apiToken);
        answers.push(`${field}: ${status} ${body.code} ${Object.keys(body.fields ?? {}).join()}`);
      }
      expect(answers).toEqual([
        'admin: 400 VALIDATION.FAILED admin',
        'target: 400 VALIDATION.FAILED target',
        'action: 400 VALIDATION.FAILED action',
        'cursor: 400 VALIDATION.FAILED cursor',
      ]);
    });

    it('refuses a NUL character anywhere in a body, nested values and keys included, and writes nothing', async () => {
      const before = await eventCount();
      const attempts: [string, string, unknown, string][] = [
        ['POST', '/admin/bots', { name: `Nul${NUL}Bot`, token: randomTestBotToken(), ownerTelegramUserId: '902' }, 'name'],
        ['POST', '/admin/bots', { name: 'Nul zone', token: randomTestBotToken(), ownerTelegramUserId: '902', timezone: `Europe/Berlin${NUL}` }, 'timezone'],
        ['PUT', `/admin/bots/${botA.botId}/flags`, { flag: `beta${NUL}`, enabled: true }, 'flag'],
        ['PUT', `/admin/bots/${botA.botId}/settings`, { key: `welcome${NUL}`, value: 'Hi' }, 'key'],
        ['PUT', `/admin/bots/${botA.botId}/settings`, { key: 'welcome', value: `Hi${NUL}` }, 'value'],
        ['PUT', `/admin/bots/${botA.botId}/settings`, { key: 'welcome', value: 'Hi', description: `Greeting${NUL}` }, 'description'],
        [
          'PUT',
          `/admin/bots/${botA.botId}/settings`,
          { key: 'nul.menu', type: 'json', value: { items: ['ok', `b${NUL}d`] }, description: 'Menu' },
          'value.items.1',
        ],
        ['PUT', `/admin/bots/${botA.botId}/settings`, { key: 'nul.menu', type: 'json', value: { [`k${NUL}`]: 1 }, description: 'Menu' }, 'value'],
        ['POST', `/admin/bots/${botA.botId}/deactivate`, { reason: `paused${NUL}` }, 'reason'],
      ];
      const answers: string[] = [];
      for (const [method, path, body, field] of attempts) {
        const answer = await http(method, path, OPERATOR, body);
        answers.push(
          `${method} ${path.replace(botA.botId, ':id')} ${field}: ${answer.status} ${answer.body.code} ${Object.keys(answer.body.fields ?? {}).join()}`,
        );
      }
      expect(answers).toEqual(
        attempts.map(([method, path, , field]) => `${method} ${path.replace(botA.botId, ':id')} ${field}: 400 VALIDATION.FAILED ${field}`),
      );
      expect(await eventCount()).toBe(before);
      expect((await http('GET', `/admin/bots/${botA.botId}`, OPERATOR)).body.bot.active).toBe(true);
    });

    it('refuses a NUL character in a path parameter', async () => {
      expect(await http('GET', '/admin/bots/%00/flags', OPERATOR)).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION.FAILED', fields: { botId: expect.any(Array) } },
      });
    });

    it('refuses a 5,000-level nested JSON setting with a typed 400, writes nothing and goes on answering', async () => {
      const before = await version(botA.botId);
      for (const nested of [`${'['.repeat(5_000)}${']'.repeat(5_000)}`, `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`]) {
        const answer = await send(
          'PUT',
          `/admin/bots/${botA.botId}/settings`,
          botA.apiToken,
          `{"key":"deep","type":"json","value":${nested},"description":"Deep"}`,
        );
        expect(answer).toEqual({
          status: 400,
          body: { code: 'VALIDATION.FAILED', message: expect.any(String), fields: { value: [expect.stringContaining('64')] } },
        });
      }
      expect(await version(botA.botId)).toBe(before);
      expect((await http('GET', `/admin/bots/${botA.botId}/settings`, botA.apiToken)).status).toBe(200);
    });

    it('bounds json settings: deeper than 32 levels or longer than 16,384 characters is USERS.INVALID_SETTING', async () => {
      const put = (key: string, value: unknown) =>
        http('PUT', `/admin/bots/${botA.botId}/settings`, botA.apiToken, { key, type: 'json', value, description: 'Bounded' });
      const nest = (levels: number): unknown => (levels === 0 ? 1 : [nest(levels - 1)]);
      const before = await version(botA.botId);
      expect(await put('bounded.deep', nest(33))).toMatchObject({
        status: 400,
        body: { code: 'USERS.INVALID_SETTING', message: expect.stringContaining('32') },
      });
      expect(await put('bounded.long', { text: 'x'.repeat(16_384) })).toMatchObject({
        status: 400,
        body: { code: 'USERS.INVALID_SETTING', message: expect.stringContaining('16384') },
      });
      expect(await version(botA.botId)).toBe(before);
      expect((await put('bounded.fits', nest(32))).status).toBe(200);
    });

    it('answers a malformed JSON body with 400 VALIDATION.MALFORMED_BODY and nothing more', async () => {
      for (const body of ['{"flag": "beta", "enabled": tru', '{"flag":', 'not json at all']) {
        const answer = await send('PUT', `/admin/bots/${botA.botId}/flags`, botA.apiToken, body);
        expect(answer).toEqual({ status: 400, body: { code: 'VALIDATION.MALFORMED_BODY', message: expect.any(String) } });
        expect(answer.body.message).not.toContain(body);
      }
    });

    it('answers a body over 100 kB with 413 VALIDATION.BODY_TOO_LARGE', async () => {
      const answer = await send(
        'PUT',
        `/admin/bots/${botA.botId}/settings`,
        botA.apiToken,
        JSON.stringify({ key: 'big', type: 'string', value: 'x'.repeat(200_000) }),
      );
      expect(answer).toEqual({ status: 413, body: { code: 'VALIDATION.BODY_TOO_LARGE', message: expect.any(String) } });
    });

    it('answers a body in an unsupported charset or encoding with 415 VALIDATION.UNSUPPORTED_BODY', async () => {
      const charset = await send('PUT', `/admin/bots/${botA.botId}/flags`, botA.apiToken, '{"flag":"beta","enabled":true}', 'application/json; charset=koi8-r');
      expect(charset).toEqual({ status: 415, body: { code: 'VALIDATION.UNSUPPORTED_BODY', message: expect.any(String) } });
    });

    it('answers a body that is not JSON at all (another content type) as invalid fields', async () => {
      const answer = await send('PUT', `/admin/bots/${botA.botId}/flags`, botA.apiToken, 'flag=beta&enabled=true', 'text/plain');
      expect(answer).toMatchObject({ status: 400, body: { code: 'VALIDATION.FAILED', fields: { flag: expect.any(Array), enabled: expect.any(Array) } } });
    });

    it('answers an unknown admin route as {code, message} too, and leaves the answers outside /admin to Nest', async () => {
      expect(await http('GET', '/admin/nothing-here', OPERATOR)).toEqual({ status: 404, body: { code: 'HTTP.404', message: expect.any(String) } });
      expect(await http('GET', '/nothing-here')).toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: expect.any(String) } });
      expect((await http('GET', '/health')).status).toBe(200);
    });
  });
});
