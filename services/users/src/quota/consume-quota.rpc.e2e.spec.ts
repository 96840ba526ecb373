import type { RpcCallError } from '@botplatform/bus';
import { RPC, type ConsumeQuotaReplyJson, type ConsumeQuotaRequestJson } from '@botplatform/contracts';
import { startUsersTestService, type UsersTestService } from '../user/testing/users-test-service.js';

const OWNER = 7_000_001;
const ANN = 7_000_002;
const BOB = 7_000_003;

/** The daily quota over rpc.users.consume-quota, on a real database, with the service's clock moved by the test. */
describe('Daily quota over request/reply', () => {
  let t: UsersTestService;
  let kolkata: string;
  let berlin: string;

  const consume = (request: Partial<ConsumeQuotaRequestJson> & { botId: string; telegramUserId: string }) => t.call(RPC.users.consumeQuota, request);
  const outcome = (call: Promise<ConsumeQuotaReplyJson>) =>
    call.then(
      (reply) => ({ ok: reply }),
      (error: RpcCallError) => ({ error }),
    );

  beforeAll(async () => {
    t = await startUsersTestService('bp_quota_rpc', new Date('2026-11-23T10:00:00.000Z'));
    kolkata = (
      await t.registerBot({
        name: 'Kolkata',
        ownerTelegramUserId: OWNER,
        timezone: 'Asia/Kolkata',
        settings: { 'quota.daily.user': 5, 'quota.daily.admin': 8, 'quota.daily.plan.pro': 12 },
      })
    ).botId;
    berlin = (await t.registerBot({ name: 'Berlin', ownerTelegramUserId: OWNER, timezone: 'Europe/Berlin', settings: { 'quota.daily.user': 1 } })).botId;
    for (const botId of [kolkata, berlin]) {
      await t.see(botId, OWNER);
      await t.see(botId, ANN);
      await t.see(botId, BOB);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lets exactly the quota through 20 simultaneous requests, and nothing more that day', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => outcome(consume({ botId: kolkata, telegramUserId: String(ANN) }))));
    const passed = results.flatMap((r) => ('ok' in r ? [r.ok] : []));
    const refused = results.flatMap((r) => ('error' in r ? [r.error] : []));
    expect(passed).toHaveLength(5);
    expect(passed.map((r) => r.used).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(passed.every((r) => r.limit === 5 && r.resetsAt === '2026-11-23T18:30:00.000Z')).toBe(true);
    expect(refused).toHaveLength(15);
    for (const error of refused) {
      expect(error.code).toBe('USERS.QUOTA_EXCEEDED');
      expect(error.message).toContain('used 5 of 5');
      expect(error.message).toContain('2026-11-23T18:30:00.000Z');
      // The caller reads the reset from the typed details, not from the message.
      expect(error.details).toEqual({ used: 5, limit: 5, requested: 1, resetsAt: '2026-11-23T18:30:00Z' });
    }
    expect(await t.users.dependencies.store.streamVersion(`quota-${kolkata}-${ANN}-2026-11-23`)).toBe(5);
  });

  it("starts again at the bot's local midnight", async () => {
    t.clock.set('2026-11-23T18:29:59.000Z'); // 23:59:59 in Kolkata
    expect((await t.failure(consume({ botId: kolkata, telegramUserId: String(ANN) }))).code).toBe('USERS.QUOTA_EXCEEDED');
    t.clock.set('2026-11-23T18:30:00.000Z'); // midnight there, still the 23rd in UTC
    expect(await consume({ botId: kolkata, telegramUserId: String(ANN) })).toEqual({ used: 1, limit: 5, resetsAt: '2026-11-24T18:30:00.000Z' });
    t.clock.set('2026-11-23T10:00:00.000Z');
  });

  it('takes the limit of a plan when the bot sets one, else of the role', async () => {
    expect(await consume({ botId: kolkata, telegramUserId: String(BOB), plan: 'pro', amount: 12 })).toMatchObject({ used: 12, limit: 12 });
    expect((await t.failure(consume({ botId: kolkata, telegramUserId: String(BOB), plan: 'pro' }))).code).toBe('USERS.QUOTA_EXCEEDED');
    // A plan the bot has no setting for falls back to the role's limit (already used up by the plan's uses).
    expect((await t.failure(consume({ botId: kolkata, telegramUserId: String(BOB), plan: 'basic' }))).message).toContain('used 12 of 5');
  });

  it("applies the limit of the member's role", async () => {
    await t.see(kolkata, 7_000_004);
    await t.call(RPC.users.approveAdmin, { botId: kolkata, admin: `telegram:${OWNER}`, targetTelegramUserId: '7000004' });
    expect(await consume({ botId: kolkata, telegramUserId: '7000004', amount: 8 })).toMatchObject({ used: 8, limit: 8 });
    expect((await t.failure(consume({ botId: kolkata, telegramUserId: '7000004' }))).message).toContain('used 8 of 8');
  });

  it('leaves a role without a setting unlimited, but still counts its uses', async () => {
    const first = await consume({ botId: kolkata, telegramUserId: String(OWNER), amount: 100 });
    expect(first).toEqual({ used: 100, resetsAt: '2026-11-23T18:30:00.000Z' });
    expect(await consume({ botId: kolkata, telegramUserId: String(OWNER) })).toMatchObject({ used: 101 });
  });

  it("reports the next midnight of a DST day in the bot's zone", async () => {
    t.clock.set('2026-03-29T00:30:00.000Z'); // 01:30 CET; clocks jump to CEST at 02:00
    expect(await consume({ botId: berlin, telegramUserId: String(ANN) })).toEqual({ used: 1, limit: 1, resetsAt: '2026-03-29T22:00:00.000Z' });
    const refused = await t.failure(consume({ botId: berlin, telegramUserId: String(ANN) }));
    expect(refused.message).toContain('resets at 2026-03-29T22:00:00.000Z');
    t.clock.set('2026-11-23T10:00:00.000Z');
  });

  it('refuses a blocked member, a non-member and a bad amount, consuming nothing', async () => {
    await t.call(RPC.users.blockMember, { botId: berlin, admin: `telegram:${OWNER}`, targetTelegramUserId: String(BOB), reason: 'abuse' });
    expect((await t.failure(consume({ botId: berlin, telegramUserId: String(BOB) }))).code).toBe('USERS.MEMBER_BLOCKED');
    expect((await t.failure(consume({ botId: berlin, telegramUserId: '7000999' }))).code).toBe('USERS.NOT_A_MEMBER');
    expect((await t.failure(consume({ botId: kolkata, telegramUserId: String(ANN), amount: 0 }))).code).toBe('VALIDATION.FAILED');
    expect((await t.failure(consume({ botId: kolkata, telegramUserId: String(ANN), plan: 'a.b' }))).code).toBe('VALIDATION.FAILED');
    expect(await t.users.dependencies.store.streamVersion(`quota-${berlin}-${BOB}-2026-11-23`)).toBe(0);
  });
});
