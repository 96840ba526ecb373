import { RPC, type AuditEntryJson, type QueryAuditRequestJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { parseApiToken } from '../bot/api-token.js';
import { startUsersTestService, type UsersTestService } from '../user/testing/users-test-service.js';

/** The five admin actions on a member share one request and one reply. */
type MemberAdminRpc = typeof RPC.users.blockMember;

const OWNER = 8_000_001;
const ADMIN = 8_000_002;
const USERS = [8_000_010, 8_000_011, 8_000_012, 8_000_013];

/** The audit log: every admin event recorded by the generic projection, queried over rpc.users.query-audit. */
describe('Audit over request/reply', () => {
  let t: UsersTestService;
  let botA: string;
  let botB: string;
  let apiA: string;

  const query = (request: Partial<QueryAuditRequestJson>) => t.call(RPC.users.queryAudit, { botId: botA, ...request });
  const act = async (action: MemberAdminRpc, botId: string, admin: string, target: number, reason?: string) => {
    t.clock.advance(1_000);
    await t.call(action, { botId, admin, targetTelegramUserId: String(target), ...(reason ? { reason } : {}) });
  };
  const summary = (entries: AuditEntryJson[] | undefined) => (entries ?? []).map((e) => `${e.admin} ${e.action} ${e.target}`);

  beforeAll(async () => {
    // The registry stamps its own events with the wall clock: start the test clock after it.
    t = await startUsersTestService('bp_audit_rpc', new Date(Date.now() + 60_000));
    const a = await t.registerBot({ name: 'Audited', ownerTelegramUserId: OWNER, settings: { 'quota.daily.user': 3 } });
    botA = a.botId;
    apiA = `api:${parseApiToken(a.apiToken)!.tokenId}`;
    botB = (await t.registerBot({ name: 'Other', ownerTelegramUserId: OWNER })).botId;
    for (const id of [OWNER, ADMIN, ...USERS]) {
      await t.see(botA, id);
      await t.see(botB, id);
    }
    await act(RPC.users.approveAdmin, botA, `telegram:${OWNER}`, ADMIN);
    await act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, USERS[0], 'spam');
    await act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, USERS[1], 'flood');
    await act(RPC.users.unblockMember, botA, `telegram:${ADMIN}`, USERS[0]);
    await act(RPC.users.proposeAdmin, botA, `telegram:${ADMIN}`, USERS[2]);
    await act(RPC.users.revokeAdmin, botA, apiA, USERS[2]);
    await act(RPC.users.blockMember, botB, `telegram:${OWNER}`, USERS[3], 'elsewhere');
    // Nothing happened: no event, so no entry.
    await act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, USERS[1], 'flood again');
  });

  afterAll(async () => {
    await t?.close();
  });

  it("lists one bot's admin actions newest first, the registry's included, and never another bot's", async () => {
    const { entries, nextCursor } = await query({ limit: 100 });
    expect(nextCursor).toBeUndefined();
    expect(summary(entries)).toEqual([
      `${apiA} member.admin-revoked telegram:${USERS[2]}`,
      `telegram:${ADMIN} member.admin-proposed telegram:${USERS[2]}`,
      `telegram:${ADMIN} member.unblocked telegram:${USERS[0]}`,
      `telegram:${ADMIN} member.blocked telegram:${USERS[1]}`,
      `telegram:${ADMIN} member.blocked telegram:${USERS[0]}`,
      `telegram:${OWNER} member.admin-approved telegram:${ADMIN}`,
      'operator bot.setting-changed setting:quota.daily.user',
      'operator bot.registered bot',
    ]);
    expect(entries!.every((e) => e.botId === botA)).toBe(true);
    const blocked = entries!.find((e) => e.action === 'member.blocked' && e.target === `telegram:${USERS[1]}`)!;
    expect(JSON.parse(blocked.detailsJson!)).toMatchObject({ reason: 'flood', status: 'blocked_by_admin', previousStatus: 'active' });
    const times = entries!.map((e) => Date.parse(e.occurredAt!));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it('keeps secrets of the registry out of the details', async () => {
    const [registered] = (await query({ action: 'bot.registered' })).entries!;
    expect(registered.detailsJson).not.toMatch(/token|secret|cipher|hash/i);
    expect(JSON.parse(registered.detailsJson!)).toMatchObject({ name: 'Audited' });
  });

  it('filters by admin, target and action, together or apart', async () => {
    expect(summary((await query({ admin: apiA })).entries)).toEqual([`${apiA} member.admin-revoked telegram:${USERS[2]}`]);
    expect(summary((await query({ target: `telegram:${USERS[0]}` })).entries)).toEqual([
      `telegram:${ADMIN} member.unblocked telegram:${USERS[0]}`,
      `telegram:${ADMIN} member.blocked telegram:${USERS[0]}`,
    ]);
    expect(summary((await query({ action: 'member.blocked', admin: `telegram:${ADMIN}` })).entries)).toHaveLength(2);
    expect(summary((await query({ action: 'member.blocked', target: `telegram:${USERS[3]}` })).entries)).toEqual([]);
    expect(summary((await query({ botId: botB })).entries)).toContain(`telegram:${OWNER} member.blocked telegram:${USERS[3]}`);
  });

  it('pages newest first with an opaque cursor, each entry once', async () => {
    const all = summary((await query({ limit: 100 })).entries);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await query({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...summary(page.entries));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
  });

  it('answers a cursor it never gave and a bad page size with typed errors', async () => {
    expect((await t.failure(query({ cursor: 'bm90IGEgY3Vyc29y' }))).code).toBe('USERS.INVALID_CURSOR');
    expect((await t.failure(query({ cursor: Buffer.from('["yesterday","x"]').toString('base64url') }))).code).toBe('USERS.INVALID_CURSOR');
    expect((await t.failure(query({ limit: 0 }))).code).toBe('VALIDATION.FAILED');
    expect((await t.failure(query({ limit: 101 }))).code).toBe('VALIDATION.FAILED');
  });

  it('refuses a NUL character in a filter, and cursors JavaScript reads as dates but PostgreSQL refuses, with typed errors', async () => {
    expect(await t.failure(query({ target: 'bot\u0000' }))).toMatchObject({ code: 'VALIDATION.FAILED', fields: { target: [expect.stringContaining('NUL')] } });
    const eventId = '00000000-0000-4000-8000-000000000000';
    const answers: Record<string, string> = {};
    for (const occurredAt of ['2026-11-23T10:00:00.000Z\u0000', '2026-02-31T10:00:00.000000+00:00', 'foo 1', '0000-01-01T00:00:00Z']) {
      const cursor = Buffer.from(JSON.stringify([occurredAt, eventId])).toString('base64url');
      answers[JSON.stringify(occurredAt)] = (await t.failure(query({ cursor }))).code;
    }
    expect(answers).toEqual({
      '"2026-11-23T10:00:00.000Z\\u0000"': 'USERS.INVALID_CURSOR',
      '"2026-02-31T10:00:00.000000+00:00"': 'USERS.INVALID_CURSOR',
      '"foo 1"': 'USERS.INVALID_CURSOR',
      '"0000-01-01T00:00:00Z"': 'USERS.INVALID_CURSOR',
    });
  });

  it('keeps microseconds in the cursor, so entries of the same millisecond are neither skipped nor repeated', async () => {
    const em = t.users.dependencies.orm.em.fork();
    const botId = botB;
    for (let i = 0; i < 5; i++) {
      await runSql(
        em,
        `INSERT INTO users.audit_entries (event_id, bot_id, admin, action, target, details, occurred_at)
         VALUES (gen_random_uuid(), $1, 'operator', 'test.same-millisecond', 'bot', '{}', '2030-01-01T00:00:00.000001Z'::timestamptz + ($2 || ' microseconds')::interval)`,
        [botId, i],
      );
    }
    const first = await t.call(RPC.users.queryAudit, { botId, action: 'test.same-millisecond', limit: 2 });
    const second = await t.call(RPC.users.queryAudit, { botId, action: 'test.same-millisecond', limit: 2, cursor: first.nextCursor });
    const third = await t.call(RPC.users.queryAudit, { botId, action: 'test.same-millisecond', limit: 2, cursor: second.nextCursor });
    const ids = [...first.entries!, ...second.entries!, ...third.entries!].map((e) => e.eventId);
    expect(new Set(ids).size).toBe(5);
    expect(third.nextCursor).toBeUndefined();
  });
});
