import { encodePublicEvent } from '@botplatform/bus';
import {
  RPC,
  IdentityProfileChangedSchema,
  MemberRole,
  MemberRoleChangedSchema,
  MemberStatus,
  MemberStatusChangedSchema,
  decodeEventMessage,
  isEventOf,
} from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { parseApiToken } from '../bot/api-token.js';
import { INSECURE_DEVELOPMENT_TOKEN_KEYS } from '../bot/bot-token-cipher.js';
import { createUsersService } from '../users.service.js';
import { identityIdOf } from './identity-id.js';
import { startUsersTestService, type UsersTestService } from './testing/users-test-service.js';

/** The five admin actions on a member share one request and one reply. */
type MemberAdminRpc = typeof RPC.users.blockMember;

const OWNER_A = 5_000_001;
const OWNER_B = 5_000_002;
const ADMIN = 5_000_010;
const ANN = 5_000_020;
const BOB = 5_000_021;
const CAROL = 5_000_022;
const DAN = 5_000_023;
const STRANGER = 5_000_099;

/** Identities and memberships over rpc.users.*, on a real database, bots registered through the real registry. */
describe('Members over request/reply', () => {
  let t: UsersTestService;
  let botA: string;
  let botB: string;
  let apiTokenIdA: string;
  let apiTokenIdB: string;

  const act = (action: MemberAdminRpc, botId: string, admin: string, target: number, reason?: string) =>
    t.call(action, { botId, admin, targetTelegramUserId: String(target), ...(reason !== undefined ? { reason } : {}) });
  const version = (streamId: string) => t.users.dependencies.store.streamVersion(streamId);
  const member = async (botId: string, telegramUserId: number) => (await t.call(RPC.users.getMember, { botId, telegramUserId: String(telegramUserId) })).member;
  const publicEvents = async (streamId: string) => {
    const { events } = await t.users.dependencies.store.readStream(streamId);
    return events
      .map((e) => encodePublicEvent(e, toPublic))
      .filter((e) => e !== null)
      .map((e) => decodeEventMessage(e.bytes));
  };
  const toPublic = createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS }).toPublic!;

  beforeAll(async () => {
    t = await startUsersTestService('bp_members_rpc');
    const a = await t.registerBot({ name: 'Bot A', ownerTelegramUserId: OWNER_A, timezone: 'Asia/Kolkata' });
    const b = await t.registerBot({ name: 'Bot B', ownerTelegramUserId: OWNER_B });
    botA = a.botId;
    botB = b.botId;
    apiTokenIdA = parseApiToken(a.apiToken)!.tokenId;
    apiTokenIdB = parseApiToken(b.apiToken)!.tokenId;
    await t.see(botA, OWNER_A, { firstName: 'Olga' });
    await t.see(botA, ADMIN, { firstName: 'Adam', username: 'adam_admin' });
    await act(RPC.users.approveAdmin, botA, `telegram:${OWNER_A}`, ADMIN);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('seeing a user', () => {
    it('gives the same person one identity and a membership in each bot', async () => {
      const inA = await t.see(botA, ANN, { firstName: 'Ann', username: 'ann_lee', languageCode: 'ru', startPayload: 'campaign_7' });
      const inB = await t.see(botB, ANN, { firstName: 'Ann', username: 'ann_lee', languageCode: 'ru' });
      expect(inA).toMatchObject({ userId: identityIdOf(ANN), membershipCreated: true, alreadyRegistered: false });
      expect(inB).toMatchObject({ userId: identityIdOf(ANN), membershipCreated: true });
      expect(inA.member).toMatchObject({
        botId: botA,
        userId: identityIdOf(ANN),
        telegramUserId: String(ANN),
        username: 'ann_lee',
        firstName: 'Ann',
        telegramLanguageCode: 'ru',
        role: 'MEMBER_ROLE_USER',
        status: 'MEMBER_STATUS_ACTIVE',
        adminPending: false,
        startPayload: 'campaign_7',
        joinedAt: '2026-11-23T10:00:00.000Z',
        lastSeenAt: '2026-11-23T10:00:00.000Z',
      });
      expect(inB.member!.startPayload).toBeUndefined();
      const em = t.users.dependencies.orm.em.fork();
      expect(await runSql(em, 'SELECT user_id FROM users.identities WHERE telegram_user_id = $1', [ANN])).toEqual([{ user_id: identityIdOf(ANN) }]);
      const memberships = await runSql<{ bot_id: string }>(em, 'SELECT bot_id FROM users.memberships WHERE telegram_user_id = $1 ORDER BY bot_id', [ANN]);
      expect(memberships.map((m) => m.bot_id).sort()).toEqual([botA, botB].sort());
    });

    it('answers a new member as the member view then reads them, a profile changed in the same call included', async () => {
      const inA = await t.see(botA, DAN, { firstName: 'Dan', username: 'dan', languageCode: 'en' });
      expect(inA.member).toEqual(await member(botA, DAN));
      // Known in A, joining B with a new profile: the identity upsert and the membership in one statement.
      const inB = await t.see(botB, DAN, { firstName: 'Dan', username: 'dan_b', lastName: 'Brown', isPremium: true });
      expect(inB).toMatchObject({ membershipCreated: true, member: { username: 'dan_b', lastName: 'Brown', isPremium: true } });
      expect(inB.member).toEqual(await member(botB, DAN));
    });

    it('records nothing for an unchanged profile and one IdentityProfileChanged for a changed one, seen in every bot', async () => {
      await t.see(botB, BOB, { firstName: 'Bob', username: 'bob' });
      await t.see(botA, BOB, { firstName: 'Bob', username: 'bob' });
      const again = await t.see(botA, BOB, { firstName: 'Bob', username: 'bob' });
      expect(again).toMatchObject({ membershipCreated: false, alreadyRegistered: true });
      expect(await version(`identity-${BOB}`)).toBe(1);
      expect(await version(`membership-${botA}-${BOB}`)).toBe(1);

      await t.see(botB, BOB, { firstName: 'Bob', username: 'bobby', isPremium: true });
      expect(await version(`identity-${BOB}`)).toBe(2);
      // IdentityCreated stays internal (UserRegistered announces the person): the change is the only public event.
      const [changed] = await publicEvents(`identity-${BOB}`);
      expect(isEventOf(changed, IdentityProfileChangedSchema) && changed.message).toMatchObject({
        botId: botB,
        userId: identityIdOf(BOB),
        username: 'bobby',
        isPremium: true,
      });
      expect(await member(botA, BOB)).toMatchObject({ username: 'bobby', isPremium: true });
    });

    it("makes the bot's owner the owner when they join, announced as a role change", async () => {
      const owner = await t.see(botB, OWNER_B, { firstName: 'Boris' });
      expect(owner.member!.role).toBe('MEMBER_ROLE_OWNER');
      const [roleChanged] = (await publicEvents(`membership-${botB}-${OWNER_B}`)).filter((e) => isEventOf(e, MemberRoleChangedSchema));
      expect(isEventOf(roleChanged, MemberRoleChangedSchema) && roleChanged.message).toMatchObject({
        role: MemberRole.OWNER,
        previousRole: MemberRole.USER,
        changedBy: 'system',
      });
    });

    it('refuses an unknown bot and a deactivated one, writing nothing', async () => {
      const unknown = '3f0d9c1e-8a2b-4c6d-9e0f-1a2b3c4d5e6f';
      expect(await t.failure(t.see(unknown, STRANGER))).toMatchObject({ code: 'USERS.BOT_NOT_FOUND' });
      const { botId } = await t.registerBot({ name: 'Closed' });
      const { BotRegistry } = await import('../bot/bot-registry.js');
      const { BotTokenCipher } = await import('../bot/bot-token-cipher.js');
      await new BotRegistry(t.users.dependencies.store, t.users.dependencies.orm.em, BotTokenCipher.forDevelopment()).deactivate(botId, 'operator');
      expect(await t.failure(t.see(botId, STRANGER))).toMatchObject({ code: 'USERS.BOT_INACTIVE' });
      expect(await version(`identity-${STRANGER}`)).toBe(0);
      expect(await version(`membership-${botId}-${STRANGER}`)).toBe(0);
    });

    it('moves last seen at most once a minute', async () => {
      const start = t.clock.now();
      await t.see(botA, CAROL, { firstName: 'Carol', lastName: 'Jones' });
      t.clock.advance(59_000);
      expect((await t.see(botA, CAROL, { firstName: 'Carol', lastName: 'Jones' })).member!.lastSeenAt).toBe(start.toISOString());
      t.clock.advance(2_000);
      const seen = t.clock.now().toISOString();
      expect((await t.see(botA, CAROL, { firstName: 'Carol', lastName: 'Jones' })).member!.lastSeenAt).toBe(seen);
      t.clock.advance(30_000);
      expect((await t.see(botA, CAROL, { firstName: 'Carol', lastName: 'Jones' })).member!.lastSeenAt).toBe(seen);
      expect(await version(`membership-${botA}-${CAROL}`)).toBe(1);
      t.clock.set(start);
    });
  });

  describe('admin actions', () => {
    it('lets an admin of bot A block a user in A only, with the reason, and unblock them', async () => {
      const blocked = await act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, ANN, '  spam links ');
      expect(blocked).toMatchObject({ changed: true, member: { status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'spam links' } });
      expect((await t.see(botA, ANN, { firstName: 'Ann', username: 'ann_lee', languageCode: 'ru' })).member!.status).toBe('MEMBER_STATUS_BLOCKED_BY_ADMIN');
      expect((await member(botB, ANN))!.status).toBe('MEMBER_STATUS_ACTIVE');
      expect(await act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, ANN, 'again')).toMatchObject({ changed: false });

      const [statusChanged] = (await publicEvents(`membership-${botA}-${ANN}`)).filter((e) => isEventOf(e, MemberStatusChangedSchema));
      expect(isEventOf(statusChanged, MemberStatusChangedSchema) && statusChanged.message).toMatchObject({
        status: MemberStatus.BLOCKED_BY_ADMIN,
        previousStatus: MemberStatus.ACTIVE,
        reason: 'spam links',
        changedBy: `telegram:${ADMIN}`,
      });
      const { events } = await t.users.dependencies.store.readStream(`membership-${botA}-${ANN}`);
      expect(events.at(-1)!.metadata.actor).toEqual({ kind: 'admin', id: `telegram:${ADMIN}` });

      expect(await act(RPC.users.unblockMember, botA, `telegram:${ADMIN}`, ANN)).toMatchObject({ changed: true, member: { status: 'MEMBER_STATUS_ACTIVE' } });
      expect((await member(botA, ANN))!.blockReason).toBeUndefined();
    });

    it('refuses with typed codes and writes nothing', async () => {
      const before = await version(`membership-${botA}-${BOB}`);
      const refusals: [Promise<unknown>, string][] = [
        [act(RPC.users.blockMember, botA, `telegram:${CAROL}`, BOB, 'spam'), 'USERS.NOT_AN_ADMIN'],
        [act(RPC.users.blockMember, botA, `telegram:${STRANGER}`, BOB, 'spam'), 'USERS.NOT_AN_ADMIN'],
        [act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, OWNER_A, 'coup'), 'USERS.CANNOT_BLOCK_ADMIN'],
        [act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, ADMIN, 'oops'), 'USERS.CANNOT_BLOCK_SELF'],
        [act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, BOB), 'USERS.REASON_REQUIRED'],
        [act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, BOB, 'x'.repeat(201)), 'USERS.REASON_REQUIRED'],
        [act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, STRANGER, 'spam'), 'USERS.NOT_A_MEMBER'],
        [act(RPC.users.approveAdmin, botA, `telegram:${ADMIN}`, BOB), 'USERS.OWNER_ONLY'],
        [act(RPC.users.revokeAdmin, botA, `telegram:${ADMIN}`, ADMIN), 'USERS.OWNER_ONLY'],
        // Bot B's admin API token is nobody in bot A.
        [act(RPC.users.blockMember, botA, `api:${apiTokenIdB}`, BOB, 'spam'), 'USERS.NOT_AN_ADMIN'],
        // The owner of bot B is nobody in bot A either.
        [act(RPC.users.blockMember, botA, `telegram:${OWNER_B}`, BOB, 'spam'), 'USERS.NOT_AN_ADMIN'],
        [act(RPC.users.blockMember, botA, 'root', BOB, 'spam'), 'VALIDATION.FAILED'],
      ];
      for (const [call, code] of refusals) expect((await t.failure(call)).code).toBe(code);
      expect(await version(`membership-${botA}-${BOB}`)).toBe(before);
      expect(await version(`membership-${botA}-${OWNER_A}`)).toBe(2);
    });

    it('an admin cannot block another admin; the owner can, and a blocked admin loses their rights', async () => {
      await t.see(botA, 5_000_011, { firstName: 'Eve' });
      await act(RPC.users.approveAdmin, botA, `telegram:${OWNER_A}`, 5_000_011);
      expect((await t.failure(act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, 5_000_011, 'rival'))).code).toBe('USERS.CANNOT_BLOCK_ADMIN');
      expect(await act(RPC.users.blockMember, botA, `telegram:${OWNER_A}`, 5_000_011, 'rogue admin')).toMatchObject({ changed: true });
      expect((await t.failure(act(RPC.users.blockMember, botA, 'telegram:5000011', BOB, 'spam'))).code).toBe('USERS.NOT_AN_ADMIN');
      expect((await t.failure(act(RPC.users.unblockMember, botA, `telegram:${ADMIN}`, 5_000_011))).code).toBe('USERS.CANNOT_BLOCK_ADMIN');
      expect(await act(RPC.users.unblockMember, botA, `telegram:${OWNER_A}`, 5_000_011)).toMatchObject({ changed: true });
    });

    it('an admin proposes, the owner approves (once) and revokes', async () => {
      expect(await act(RPC.users.proposeAdmin, botA, `telegram:${ADMIN}`, BOB)).toMatchObject({
        changed: true,
        member: { adminPending: true, role: 'MEMBER_ROLE_USER' },
      });
      expect(await act(RPC.users.proposeAdmin, botA, `telegram:${ADMIN}`, BOB)).toMatchObject({ changed: false });
      expect(await act(RPC.users.approveAdmin, botA, `telegram:${OWNER_A}`, BOB)).toMatchObject({
        changed: true,
        member: { adminPending: false, role: 'MEMBER_ROLE_ADMIN' },
      });
      expect(await act(RPC.users.approveAdmin, botA, `telegram:${OWNER_A}`, BOB)).toMatchObject({ changed: false });
      expect(await act(RPC.users.revokeAdmin, botA, `telegram:${OWNER_A}`, BOB)).toMatchObject({ changed: true, member: { role: 'MEMBER_ROLE_USER' } });
    });

    it("bot A's own API token acts with the owner's rights", async () => {
      expect(await act(RPC.users.approveAdmin, botA, `api:${apiTokenIdA}`, BOB)).toMatchObject({ changed: true, member: { role: 'MEMBER_ROLE_ADMIN' } });
      expect(await act(RPC.users.revokeAdmin, botA, `api:${apiTokenIdA}`, BOB)).toMatchObject({ changed: true, member: { role: 'MEMBER_ROLE_USER' } });
    });
  });

  describe("the member's own changes", () => {
    it('records the user blocking the bot once, keeps an admin block as the status that matters, and reveals it on unblock', async () => {
      const record = (blocked: boolean) => t.call(RPC.users.recordBotBlocked, { botId: botB, telegramUserId: String(BOB), ...(blocked ? { blocked } : {}) });
      expect(await record(true)).toEqual({ changed: true });
      expect(await record(true)).toEqual({ changed: false });
      expect((await member(botB, BOB))!.status).toBe('MEMBER_STATUS_BOT_BLOCKED_BY_USER');
      await act(RPC.users.blockMember, botB, `telegram:${OWNER_B}`, BOB, 'abuse');
      expect((await member(botB, BOB))!.status).toBe('MEMBER_STATUS_BLOCKED_BY_ADMIN');
      await act(RPC.users.unblockMember, botB, `telegram:${OWNER_B}`, BOB);
      expect((await member(botB, BOB))!.status).toBe('MEMBER_STATUS_BOT_BLOCKED_BY_USER');
      expect(await record(false)).toEqual({ changed: true });
      expect((await member(botB, BOB))!.status).toBe('MEMBER_STATUS_ACTIVE');
      expect((await t.failure(t.call(RPC.users.recordBotBlocked, { botId: botB, telegramUserId: String(STRANGER), blocked: true }))).code).toBe(
        'USERS.NOT_A_MEMBER',
      );
    });

    it('sets a language override and goes back to the Telegram language', async () => {
      const set = (languageCode?: string) =>
        t.call(RPC.users.setMemberLanguage, { botId: botA, telegramUserId: String(CAROL), ...(languageCode ? { languageCode } : {}) });
      expect(await set('de')).toMatchObject({ changed: true, member: { languageOverride: 'de' } });
      expect(await set('de')).toMatchObject({ changed: false });
      const back = await set();
      expect(back.changed).toBe(true);
      expect(back.member!.languageOverride).toBeUndefined();
      expect((await t.failure(set('english'))).code).toBe('VALIDATION.FAILED');
    });
  });

  describe('queries', () => {
    it('finds members of one bot by @username, Telegram id or part of the name', async () => {
      const find = async (query: string) => (await t.call(RPC.users.findMembers, { botId: botA, query })).members!.map((m) => m.telegramUserId);
      expect(await find('@ann_')).toEqual([String(ANN)]);
      expect(await find('@ANN')).toEqual([String(ANN)]);
      expect(await find(String(CAROL))).toEqual([String(CAROL)]);
      expect(await find('jon')).toEqual([String(CAROL)]);
      expect(await find('%')).toEqual([]);
      expect(await find(String(OWNER_B))).toEqual([]);
      const { members } = await t.call(RPC.users.findMembers, { botId: botB, query: 'bob' });
      expect(members!.map((m) => m.botId)).toEqual([botB]);
    });

    it('refuses a NUL character in free text with VALIDATION.FAILED naming the field, writing nothing', async () => {
      const find = await t.failure(t.call(RPC.users.findMembers, { botId: botA, query: 'ann\u0000' }));
      expect(find).toMatchObject({ code: 'VALIDATION.FAILED', fields: { query: [expect.stringContaining('NUL')] } });
      const before = await version(`membership-${botA}-${STRANGER}`);
      expect(await t.failure(t.see(botA, STRANGER, { firstName: 'Mal\u0000lory' }))).toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: { firstName: expect.any(Array) },
      });
      expect(await t.failure(act(RPC.users.blockMember, botA, `telegram:${ADMIN}`, BOB, 'spam\u0000'))).toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: { reason: expect.any(Array) },
      });
      expect(await version(`membership-${botA}-${STRANGER}`)).toBe(before);
    });

    it('answers an absent member with no member', async () => {
      expect(await t.call(RPC.users.getMember, { botId: botA, telegramUserId: String(STRANGER) })).toEqual({});
    });

    it("counts one bot's members, those seen since its local midnight, blocks and admins", async () => {
      const { botId } = await t.registerBot({ name: 'Counted', ownerTelegramUserId: 6_000_001, timezone: 'Asia/Kolkata' });
      t.clock.set('2026-11-23T17:00:00.000Z'); // 22:30 in Kolkata
      await t.see(botId, 6_000_001);
      await t.see(botId, 6_000_002);
      await t.see(botId, 6_000_003);
      await act(RPC.users.blockMember, botId, 'telegram:6000001', 6_000_002, 'spam');
      await t.call(RPC.users.recordBotBlocked, { botId, telegramUserId: '6000003', blocked: true });
      t.clock.set('2026-11-23T18:45:00.000Z'); // 00:15 the next day in Kolkata
      await t.see(botId, 6_000_004);
      const counts = await t.call(RPC.users.countMembers, { botId });
      expect(counts).toEqual({ members: 4, activeToday: 1, blockedTheBot: 1, blockedByAdmin: 1, admins: 1 });
      t.clock.set('2026-11-23T10:00:00.000Z');
    });
  });
});
