import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  RPC,
  type BotActionJson,
  type BotActionsJson,
  type BotUpdateJson,
  type CallbackTriggerJson,
  type MemberViewJson,
  type RoleJson,
  type StepTriggerJson,
} from '@botplatform/contracts';
import { waitFor } from '@botplatform/testing';
import { startUsersTestService, type UsersTestService } from '../user/testing/users-test-service.js';

const OLGA = 7_100_001; // the owner
const PAVEL = 7_100_002; // a member, Russian
const QUENTIN = 7_100_003;
const RITA = 7_100_004;
const SAM = 7_100_005;
const TOM = 7_100_006; // claims to be an admin in a forged context

const NOT_ADMIN_EN = "This menu is only for the bot's admins.";
const NOT_ADMIN_RU = 'Это меню только для администраторов бота.';

const ROLES: Record<string, RoleJson> = {
  MEMBER_ROLE_USER: 'ROLE_USER',
  MEMBER_ROLE_ADMIN: 'ROLE_ADMIN',
  MEMBER_ROLE_OWNER: 'ROLE_OWNER',
};

type Trigger = Pick<BotUpdateJson, 'command' | 'callback' | 'step' | 'message'>;

/**
 * The admin menu as the users service serves it: updates sent on rpc.users.handle-bot-update as the
 * gateway sends them (the member's context read from the users service's own state, as the gateway's
 * member cache holds it), the actions answered, and the effects read back over the users service's RPCs.
 */
describe('The admin menu of the users service', () => {
  let t: UsersTestService;
  let botId: string;
  let updateId = 0;

  const memberOf = async (telegramUserId: number): Promise<MemberViewJson | undefined> =>
    (await t.call(RPC.users.getMember, { botId, telegramUserId: String(telegramUserId) })).member;

  /** A BotUpdate from `telegramUserId` with `trigger`, the member's context as the gateway builds it. */
  const updateFrom = async (
    telegramUserId: number,
    trigger: Trigger,
    options: { language?: string; session?: unknown; role?: RoleJson } = {},
  ): Promise<BotUpdateJson> => {
    const member = (await memberOf(telegramUserId))!;
    return {
      context: {
        botId,
        botName: 'Shop',
        member: {
          userId: member.userId!,
          telegramUserId: String(telegramUserId),
          firstName: member.firstName!,
          ...(member.username ? { username: member.username } : {}),
          role: options.role ?? ROLES[member.role ?? 'MEMBER_ROLE_USER']!,
          ...(member.adminPending ? { adminPending: true } : {}),
          joinedAt: member.joinedAt!,
        },
        language: options.language ?? 'en',
        timeZone: 'UTC',
      },
      updateId: String(++updateId),
      chatId: String(telegramUserId),
      ...trigger,
      ...(options.session !== undefined ? { sessionJson: JSON.stringify(options.session) } : {}),
    };
  };
  const handle = (update: BotUpdateJson): Promise<BotActionsJson> => t.call(RPC.users.handleBotUpdate, update);
  const command = async (from: number, name: string, options?: Parameters<typeof updateFrom>[2]) =>
    (await handle(await updateFrom(from, { command: { command: name, messageId: String(++updateId) } }, options))).actions ?? [];
  const press = async (from: number, data: string, options: Parameters<typeof updateFrom>[2] & { messageText?: string } = {}) => {
    const callback: CallbackTriggerJson = {
      callbackQueryId: `cq-${++updateId}`,
      data,
      messageId: '42',
      ...(options.messageText ? { messageText: options.messageText } : {}),
    };
    return (await handle(await updateFrom(from, { callback }, options))).actions ?? [];
  };
  const answer = async (from: number, step: string, text: string, data?: Record<string, string>, options?: Parameters<typeof updateFrom>[2]) => {
    const trigger: StepTriggerJson = { step, text, messageId: String(++updateId), ...(data ? { data } : {}) };
    return (await handle(await updateFrom(from, { step: trigger }, options))).actions ?? [];
  };

  /** Every callback_data of the inline keyboard of an action. */
  const buttonsOf = (action: BotActionJson | undefined) =>
    ((action?.reply?.keyboard?.inline ?? action?.edit?.keyboard)?.rows ?? []).flatMap((row) =>
      (row.buttons ?? []).map((button) => button.callbackData ?? button.text),
    );
  const replyOf = (actions: readonly BotActionJson[]) => actions.find((action) => action.reply);
  const editOf = (actions: readonly BotActionJson[]) => actions.find((action) => action.edit);
  const toastOf = (actions: readonly BotActionJson[]) => actions.find((action) => action.answerCallback)?.answerCallback;
  const auditCount = async () => (await t.call(RPC.users.queryAudit, { botId, limit: 100 })).entries?.length ?? 0;

  beforeAll(async () => {
    t = await startUsersTestService('bp_admin_menu');
    ({ botId } = await t.registerBot({ name: 'Shop', ownerTelegramUserId: OLGA }));
    await t.see(botId, OLGA, { firstName: 'Olga', username: 'olga_owner', languageCode: 'en' });
    await t.see(botId, PAVEL, { firstName: 'Pavel', languageCode: 'ru' });
    await t.see(botId, QUENTIN, { firstName: 'Quentin', username: 'quentin_q' });
    await t.see(botId, RITA, { firstName: 'Rita', username: 'rita_r' });
    await t.see(botId, SAM, { firstName: 'Sam', username: 'sam_s' });
    await t.see(botId, TOM, { firstName: 'Tom', username: 'tom_t' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('declares /admin for admins (en and ru), the adm namespace and its four steps (beside /profile), and keeps trying while no gateway answers', async () => {
    const declarer = t.users.declarer!;
    expect(declarer.state).toBe('pending');
    const health = await (await fetch(`${t.users.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', checks: { 'bot-features': expect.stringMatching(/^pending/) } });

    // A gateway appears on the service's transport: the declaration lands there.
    const declarations: unknown[] = [];
    t.broker.register(RPC.gateway.declareBotFeatures.subject, async (request) => {
      declarations.push(request);
      return { changed: true, version: '3' };
    });
    declarer.retryNow();
    await declarer.declared;
    expect(declarations).toEqual([
      {
        declaration: {
          service: 'users',
          commands: [
            { command: 'admin', descriptions: { en: 'the admin menu', ru: 'меню администратора' }, audience: 'AUDIENCE_ADMINS' },
            { command: 'profile', descriptions: { en: 'Your profile', ru: 'Ваш профиль' }, audience: 'AUDIENCE_EVERYONE' },
          ],
          callbackNamespaces: [{ namespace: 'adm' }],
          steps: [{ step: 'adm:block-reason' }, { step: 'adm:find' }, { step: 'adm:new-flag' }, { step: 'adm:setting' }],
          messageKinds: [],
          updateKinds: [],
        },
      },
    ]);
    await waitFor('the health check to say declared', async () => {
      const body = (await (await fetch(`${t.users.url}/health`)).json()) as { checks: Record<string, string> };
      return body.checks['bot-features'] === 'declared (routing table v3)';
    });
  });

  it('refuses /admin to a member who is not an admin, in their language', async () => {
    expect(await command(PAVEL, 'admin', { language: 'ru' })).toEqual([{ reply: { text: NOT_ADMIN_RU } }]);
    expect(await command(QUENTIN, 'admin')).toEqual([{ reply: { text: NOT_ADMIN_EN } }]);
  });

  it('opens the menu for the owner', async () => {
    const actions = await command(OLGA, 'admin');
    expect(replyOf(actions)?.reply?.text).toBe('Admin menu. What would you like to do?');
    expect(buttonsOf(replyOf(actions))).toEqual(['adm:cnt', 'adm:find', 'adm:flags', 'adm:set', 'adm:aud']);
    const ru = await command(OLGA, 'admin', { language: 'ru' });
    expect(replyOf(ru)?.reply?.text).toBe('Меню администратора. Что сделать?');
  });

  it('shows the counts of the users service', async () => {
    const counts = await t.call(RPC.users.countMembers, { botId });
    const actions = await press(OLGA, 'adm:cnt');
    expect(editOf(actions)?.edit?.text).toBe(
      [
        `Members: ${counts.members}`,
        `Active today: ${counts.activeToday ?? 0}`,
        `Blocked the bot: ${counts.blockedTheBot ?? 0}`,
        `Blocked by an admin: ${counts.blockedByAdmin ?? 0}`,
        'Admins: 1',
      ].join('\n'),
    );
    expect(counts.members).toBe(6);
    expect(buttonsOf(editOf(actions))).toEqual(['adm:menu']);
    // The press was answered (the spinner stops).
    expect(toastOf(actions)).toEqual({});
  });

  it('finds a member, blocks them with a reason (state and audit), and unblocks them under the outcome', async () => {
    const asked = await press(OLGA, 'adm:find');
    expect(asked).toEqual([
      { enterStep: { step: 'adm:find' } },
      { reply: { text: "Send the user's @username, Telegram id or a part of their name." } },
      { answerCallback: {} },
    ]);
    const found = await answer(OLGA, 'adm:find', ' @quentin_q ');
    expect(found[0]).toEqual({ leaveStep: {} });
    expect(replyOf(found)?.reply?.text).toBe('Found 1. Choose one:');
    expect(replyOf(found)?.reply?.keyboard?.inline?.rows?.[0]?.buttons).toEqual([{ text: 'Quentin (@quentin_q)', callbackData: `adm:u:${QUENTIN}` }]);

    const card = await press(OLGA, `adm:u:${QUENTIN}`);
    expect(editOf(card)?.edit?.text).toBe(`Quentin (@quentin_q, id ${QUENTIN})\nRole: user\nStatus: active`);
    expect(buttonsOf(editOf(card))).toEqual([`adm:blk:${QUENTIN}`, `adm:apr:${QUENTIN}`, 'adm:menu']);

    const why = await press(OLGA, `adm:blk:${QUENTIN}`);
    expect(why.slice(0, 2)).toEqual([
      { enterStep: { step: 'adm:block-reason', data: { target: String(QUENTIN) } } },
      { reply: { text: 'Why do you block Quentin? Send the reason.' } },
    ]);
    const audited = await auditCount();
    const blocked = await answer(OLGA, 'adm:block-reason', 'spam in the shop', { target: String(QUENTIN) });
    expect(replyOf(blocked)?.reply?.text).toBe('Quentin is blocked. Reason: spam in the shop');
    // A blocked member has no role to change: unblocking is the one action offered.
    expect(buttonsOf(replyOf(blocked))).toEqual([`adm:unb:${QUENTIN}:k`, 'adm:menu']);
    expect(await memberOf(QUENTIN)).toMatchObject({ status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'spam in the shop' });
    const [entry] = (await t.call(RPC.users.queryAudit, { botId, action: 'member.blocked', target: `telegram:${QUENTIN}` })).entries!;
    expect(entry).toMatchObject({ admin: `telegram:${OLGA}` });
    expect(JSON.parse(entry!.detailsJson!)).toMatchObject({ reason: 'spam in the shop' });
    expect(await auditCount()).toBe(audited + 1);

    const unblocked = await press(OLGA, `adm:unb:${QUENTIN}:k`, { messageText: 'Quentin is blocked. Reason: spam in the shop' });
    expect(toastOf(unblocked)).toEqual({ text: 'Quentin is unblocked.' });
    // The confirmation keeps saying who was blocked and why; the unblock is added below it.
    expect(editOf(unblocked)?.edit?.text).toBe('Quentin is blocked. Reason: spam in the shop\nQuentin is unblocked.');
    expect(buttonsOf(editOf(unblocked))).toEqual([`adm:blk:${QUENTIN}:k`, `adm:apr:${QUENTIN}:k`, 'adm:menu']);
    expect((await memberOf(QUENTIN))?.status).toBe('MEMBER_STATUS_ACTIVE');
  });

  it("offers only unblocking on a blocked member's card, and unblocking there shows the card unblocked", async () => {
    await t.call(RPC.users.blockMember, { botId, admin: `telegram:${OLGA}`, targetTelegramUserId: String(SAM), reason: 'rude' });
    const card = await press(OLGA, `adm:u:${SAM}`);
    expect(editOf(card)?.edit?.text).toContain('Status: blocked by an admin (rude)');
    expect(buttonsOf(editOf(card))).toEqual([`adm:unb:${SAM}`, 'adm:menu']);
    const unblocked = await press(OLGA, `adm:unb:${SAM}`);
    expect(toastOf(unblocked)).toEqual({ text: 'Sam is unblocked.' });
    expect(editOf(unblocked)?.edit?.text).toMatch(/^Sam [\s\S]*Status: active/);
    expect(buttonsOf(editOf(unblocked))).toEqual([`adm:blk:${SAM}`, `adm:apr:${SAM}`, 'adm:menu']);
  });

  it("refuses a non-admin's forged adm: buttons and answers in the users service, changing nothing", async () => {
    const audited = await auditCount();
    const flagsBefore = (await t.call(RPC.users.getBotConfig, { botId })).flags ?? {};
    for (const data of [`adm:blk:${QUENTIN}`, `adm:unb:${QUENTIN}`, `adm:apr:${PAVEL}`, 'adm:ft:1:evil', 'adm:aud', `adm:u:${OLGA}`]) {
      expect(await press(PAVEL, data, { language: 'ru' })).toEqual([{ answerCallback: { text: NOT_ADMIN_RU, showAlert: true } }]);
    }
    // A question of the menu answered by a non-admin (their role changed meanwhile) is refused too.
    expect(await answer(PAVEL, 'adm:block-reason', 'no reason', { target: String(QUENTIN) })).toEqual([{ leaveStep: {} }, { reply: { text: NOT_ADMIN_EN } }]);
    expect((await memberOf(QUENTIN))?.status).toBe('MEMBER_STATUS_ACTIVE');
    expect((await memberOf(PAVEL))?.role).toBe('MEMBER_ROLE_USER');
    expect((await t.call(RPC.users.getBotConfig, { botId })).flags ?? {}).toEqual(flagsBefore);
    expect(await auditCount()).toBe(audited);
  });

  it('has the use cases check the rights again when a context claims a role the member does not hold', async () => {
    const audited = await auditCount();
    const asAdmin = { role: 'ROLE_ADMIN' as const };
    expect(await press(TOM, `adm:unb:${SAM}`, asAdmin)).toEqual([{ answerCallback: { text: 'Only admins of this bot can do that.', showAlert: true } }]);
    expect(await press(TOM, 'adm:ft:1:evil', asAdmin)).toEqual([{ answerCallback: { text: 'Only admins of this bot can do that.', showAlert: true } }]);
    expect(await answer(TOM, 'adm:block-reason', 'because', { target: String(QUENTIN) }, asAdmin)).toEqual([
      { leaveStep: {} },
      { reply: { text: 'Only admins of this bot can do that.' } },
    ]);
    expect((await memberOf(QUENTIN))?.status).toBe('MEMBER_STATUS_ACTIVE');
    expect((await t.call(RPC.users.getBotConfig, { botId })).flags?.evil).toBeUndefined();
    expect(await auditCount()).toBe(audited);
  });

  it('lets the owner make an admin, who may then only propose admins', async () => {
    const approved = await press(OLGA, `adm:apr:${RITA}`);
    expect(toastOf(approved)).toEqual({ text: 'Rita is an admin now.' });
    expect(editOf(approved)?.edit?.text).toMatch(/^Rita .*\nRole: admin/);
    expect(buttonsOf(editOf(approved))).toContain(`adm:rev:${RITA}`);
    expect((await memberOf(RITA))?.role).toBe('MEMBER_ROLE_ADMIN');

    expect(replyOf(await command(RITA, 'admin'))?.reply?.text).toBe('Admin menu. What would you like to do?');
    const found = await answer(RITA, 'adm:find', 'sam');
    expect(replyOf(found)?.reply?.text).toBe('Found 1. Choose one:');
    const samCard = await press(RITA, `adm:u:${SAM}`);
    expect(buttonsOf(editOf(samCard))).toEqual([`adm:blk:${SAM}`, `adm:pro:${SAM}`, 'adm:menu']);
    const proposed = await press(RITA, `adm:pro:${SAM}`);
    expect(toastOf(proposed)).toEqual({ text: 'Sam is proposed as admin; the owner decides.' });
    expect(await memberOf(SAM)).toMatchObject({ role: 'MEMBER_ROLE_USER', adminPending: true });
    // An admin who forges the owner's button is refused by the use case, in their language.
    expect(toastOf(await press(RITA, `adm:apr:${SAM}`))).toEqual({ text: 'Only the owner of this bot can do that.', showAlert: true });
    expect((await memberOf(SAM))?.role).toBe('MEMBER_ROLE_USER');
  });

  it('creates and switches feature flags', async () => {
    const empty = await press(OLGA, 'adm:flags');
    expect(editOf(empty)?.edit?.text).toMatch(/^This bot has no feature flags yet/);
    expect(buttonsOf(editOf(empty))).toEqual(['adm:nf', 'adm:menu']);
    expect((await press(OLGA, 'adm:nf')).slice(0, 2)).toEqual([
      { enterStep: { step: 'adm:new-flag' } },
      { reply: { text: 'Send a flag name (lower case, dots allowed) to switch it on.' } },
    ]);
    // A malformed name asks again (the step is entered again).
    expect(await answer(OLGA, 'adm:new-flag', 'Not A Flag!')).toEqual([
      { leaveStep: {} },
      { enterStep: { step: 'adm:new-flag' } },
      { reply: { text: 'Send a flag name (lower case, dots allowed) to switch it on.' } },
    ]);
    const created = await answer(OLGA, 'adm:new-flag', 'referrals');
    expect(replyOf(created)?.reply?.text).toBe('Flag referrals is now on.');
    expect(buttonsOf(replyOf(created))).toEqual(['adm:ft:0:referrals', 'adm:nf', 'adm:menu']);
    const toggled = await press(OLGA, 'adm:ft:0:referrals');
    expect(toastOf(toggled)).toEqual({ text: 'Flag referrals is now off.' });
    expect(buttonsOf(editOf(toggled))).toContain('adm:ft:1:referrals');
    expect((await t.call(RPC.users.getBotConfig, { botId })).flags).toEqual({ referrals: false });
    const entries = (await t.call(RPC.users.queryAudit, { botId, target: 'flag:referrals' })).entries!;
    expect(entries.map((entry) => entry.admin)).toEqual([`telegram:${OLGA}`, `telegram:${OLGA}`]);
  });

  it('writes a setting typed by its JSON value, asking again for a malformed one', async () => {
    expect((await press(OLGA, 'adm:set')).slice(0, 2)).toEqual([
      { enterStep: { step: 'adm:setting' } },
      { reply: { text: expect.stringMatching(/^Send the setting as key=value/) } },
    ]);
    const again = await answer(OLGA, 'adm:setting', 'quota.daily.user: 20');
    expect(again).toEqual([
      { leaveStep: {} },
      { enterStep: { step: 'adm:setting' } },
      { reply: { text: expect.stringMatching(/^Please send key=value with a JSON value/) } },
    ]);
    const written = await answer(OLGA, 'adm:setting', 'quota.daily.user=20');
    expect(written[0]).toEqual({ leaveStep: {} });
    expect(replyOf(written)?.reply?.text).toBe('Setting quota.daily.user is now 20.');
    const setting = (await t.call(RPC.users.getBotConfig, { botId })).settings?.find((s) => s.key === 'quota.daily.user');
    expect(setting).toMatchObject({ valueJson: '20', type: 'SETTING_TYPE_INT' });
    // A value of the wrong type for a known setting is refused in the admin's language.
    const wrong = await answer(OLGA, 'adm:setting', 'quota.daily.user="many"');
    expect(wrong).toEqual([{ leaveStep: {} }, { reply: { text: 'That value does not fit this flag or setting.' } }]);
  });

  it('pages through the audit log newest first, the cursor kept in the session slice', async () => {
    for (let i = 1; i <= 12; i++) await t.call(RPC.users.setFeatureFlag, { botId, flag: `test.flag${i}`, enabled: true, changedBy: 'operator' });
    const first = await press(OLGA, 'adm:aud');
    const lines = editOf(first)!.edit!.text!.split('\n');
    expect(lines[0]).toBe('Audit log, newest first:');
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC operator: bot\.feature-flag-changed flag:test\.flag12$/);
    expect(lines).toHaveLength(11);
    expect(buttonsOf(editOf(first))).toEqual(['adm:aud:more', 'adm:menu']);
    const session = first.find((action) => action.setSession)?.setSession?.sessionJson;
    expect(JSON.parse(session!)).toEqual({ auditCursor: expect.any(String) });

    const second = await press(OLGA, 'adm:aud:more', { session: JSON.parse(session!) });
    expect(editOf(second)?.edit?.text).toMatch(/^Audit log/);
    expect(editOf(second)?.edit?.text).not.toContain('test.flag12');
    expect(editOf(second)?.edit?.text).toContain('test.flag2');
    // Without the slice (another chat, an old message) the page is out of date.
    expect(toastOf(await press(OLGA, 'adm:aud:more'))).toEqual({ text: 'This list is out of date. Open the audit log again.' });
  });

  it('answers a malformed update with a typed error, not a crash', async () => {
    const valid = await updateFrom(OLGA, { command: { command: 'admin' } });
    const invalid: unknown[] = [
      { ...valid, context: { ...valid.context, botId: 'not-a-bot' } },
      { ...valid, context: { ...valid.context, member: { firstName: 'Nobody' } } },
      { ...valid, command: undefined },
      { ...valid, sessionJson: '{not json' },
      { ...valid, surprise: true },
      { ...valid, callback: { data: 'adm:cnt' } },
      { ...valid, updateId: 'twelve' },
      'admin',
    ];
    for (const update of invalid) {
      const failure = await t.failure(t.call(RPC.users.handleBotUpdate, update as BotUpdateJson));
      expect(failure.code).toBe('BOT.INVALID_UPDATE');
    }
    // Well-formed but not the users service's: a typed error too.
    expect((await t.failure(handle({ ...valid, command: { command: 'plans' } }))).code).toBe('BOT.UNROUTED_UPDATE');
    // The service still answers.
    expect(replyOf(await command(OLGA, 'admin'))?.reply?.text).toBe('Admin menu. What would you like to do?');
  });
});
