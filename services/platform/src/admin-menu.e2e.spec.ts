import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { RPC, type AuditEntryJson, type MemberViewJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, type RpcTransport } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { startPlatform, type RunningPlatform } from './platform.js';

const text = (pattern: RegExp | string) => (message: Message) => (typeof pattern === 'string' ? message.text === pattern : pattern.test(message.text ?? ''));

/** Every callback_data of a message's inline keyboard. */
const buttonsOf = (message: Message) =>
  (message.reply_markup?.inline_keyboard ?? []).flat().map((button) => ('callback_data' in button ? button.callback_data : button.text));

/**
 * The admin menu as a member uses it, through the sandbox, now that the users service serves it: the
 * gateway routes `/admin`, the `adm:` buttons and the menu's questions to rpc.users.handle-bot-update and
 * performs the actions answered. Every assertion of the gateway's former admin.e2e.spec.ts is kept;
 * those that read the stand-in's recorded calls read the users service's real state instead (its
 * members, audit log and bot config). The platform runs embedded: in-process bus and request/reply.
 */
describe('The admin menu, served by the users service through the gateway', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let platform: RunningPlatform;
  let client: RpcClient;
  let sandbox: TelegramSandbox;
  let botId: string;
  let shop: ReturnType<TelegramSandbox['createBot']>;
  let olga: SandboxUser;
  let owner: SandboxChat;

  const user = (firstName: string, languageCode = 'en', extra: { username?: string } = {}) => sandbox.createUser({ firstName, languageCode, ...extra });
  const memberOf = async (member: SandboxUser): Promise<MemberViewJson | undefined> =>
    (await client.call(RPC.users.getMember, { botId, telegramUserId: String(member.id) })).member;
  const auditOf = async (filter: { action?: string; target?: string }): Promise<AuditEntryJson[]> =>
    (await client.call(RPC.users.queryAudit, { botId, limit: 100, ...filter })).entries ?? [];

  /**
   * Until the gateway's member cache took in the member's latest change: its member-cache consumer
   * applied the event (its inbox row is written with the effect), as the stand-in test did by hand.
   */
  const gatewaySeesLatestChangeOf = async (member: SandboxUser) => {
    const { events } = await platform.services.get('users')!.dependencies.store.readStream(`membership-${botId}-${member.id}`);
    const eventId = events.at(-1)!.metadata.eventId;
    const gateway = platform.services.get('gateway')!;
    await waitFor(
      `the gateway to see the change of ${member.firstName}`,
      async () =>
        (
          await runSql(gateway.dependencies.orm.em.fork(), `SELECT 1 FROM gateway.bus_inbox WHERE consumer = 'gateway--member-cache' AND event_id = $1`, [
            eventId,
          ])
        ).length > 0,
      { timeoutMs: 10_000 },
    );
  };

  async function start(member: SandboxUser): Promise<SandboxChat> {
    const chat = sandbox.chat(member, shop);
    chat.sendCommand('start');
    await chat.waitForMessage(text(new RegExp(`^(Hello|Здравствуйте), ${member.firstName}!`)));
    return chat;
  }

  async function openMenu(chat: SandboxChat): Promise<Message> {
    chat.sendCommand('admin');
    return chat.waitForMessage(text('Admin menu. What would you like to do?'));
  }

  beforeAll(async () => {
    database = await createTestDatabase('bp_admin_menu');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const rpc: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    platform = await startPlatform({
      databaseUrl: database.url,
      bus,
      rpc,
      firstHttpPort: 0,
      logger: false,
      // The owner clicks through every screen here, far faster than the incoming rate limit allows a human.
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1, incomingRateLimit: false },
    });
    client = createRpcClient(rpc);
    olga = user('Olga', 'en', { username: 'olga_owner' });
    shop = sandbox.createBot({ username: 'admin_menu_shop_bot', firstName: 'Shop' });
    ({ botId } = (await client.call(RPC.users.registerBot, { name: 'Shop', token: shop.token, ownerTelegramUserId: String(olga.id) })) as { botId: string });
    await waitFor('the gateway to host the bot', () => platform.gateway.host?.hosted().length === 1, { timeoutMs: 15_000 });
    owner = await start(olga);
  });

  afterAll(async () => {
    await client?.close();
    await platform?.close();
    await bus?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  it('declared the menu to the gateway when the platform started', () => {
    expect(platform.services.get('users')!.declarer?.state).toBe('declared');
  });

  it('refuses a member who is not an admin, in their language', async () => {
    const chat = await start(user('Pavel', 'ru'));
    chat.sendCommand('admin');
    await chat.waitForMessage(text('Это меню только для администраторов бота.'));
    chat.sendCommand('help');
    const help = await chat.waitForMessage(text(/^Вот что я умею:/));
    expect(help.text).not.toContain('/admin');
  });

  it('shows the counts', async () => {
    const before = await client.call(RPC.users.countMembers, { botId });
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Counts');
    const counts = await owner.waitForEdit(text(/^Members: /));
    expect(counts.text).toBe(
      [
        `Members: ${before.members ?? 0}`,
        `Active today: ${before.activeToday ?? 0}`,
        `Blocked the bot: ${before.blockedTheBot ?? 0}`,
        `Blocked by an admin: ${before.blockedByAdmin ?? 0}`,
        'Admins: 1',
      ].join('\n'),
    );
    // The counts are the users service's own: both members seen so far.
    expect(before.members).toBe(2);
  });

  it('finds a user, blocks them with a reason (refused from then on) and unblocks them', async () => {
    const quentin = user('Quentin', 'en', { username: 'quentin_q' });
    const victim = await start(quentin);

    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Find a user');
    await owner.waitForMessage(text("Send the user's @username, Telegram id or a part of their name."));
    owner.sendText('@quentin_q');
    const results = await owner.waitForMessage(text('Found 1. Choose one:'));
    await owner.pressCallbackButton(results, 'Quentin (@quentin_q)');
    const card = await owner.waitForEdit(text(/^Quentin \(@quentin_q, id \d+\)/));
    expect(card.text).toContain('Status: active');
    expect(buttonsOf(card)).toEqual([`adm:blk:${quentin.id}`, `adm:apr:${quentin.id}`, 'adm:menu']);

    await owner.pressCallbackButton(card, 'Block');
    await owner.waitForMessage(text('Why do you block Quentin? Send the reason.'));
    owner.sendText('spam in the shop');
    const blocked = await owner.waitForMessage(text('Quentin is blocked. Reason: spam in the shop'));
    expect(await memberOf(quentin)).toMatchObject({ status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'spam in the shop' });
    const blocks = await auditOf({ action: 'member.blocked', target: `telegram:${quentin.id}` });
    expect(blocks.map((entry) => entry.admin)).toEqual([`telegram:${olga.id}`]);
    expect(JSON.parse(blocks[0]!.detailsJson!)).toMatchObject({ reason: 'spam in the shop' });
    // A blocked member has no role to change: unblocking is the one action offered.
    expect(buttonsOf(blocked)).toEqual([`adm:unb:${quentin.id}:k`, 'adm:menu']);

    // Once the gateway's member cache took in the block, the very next update is refused.
    await gatewaySeesLatestChangeOf(quentin);
    victim.sendCommand('help');
    await victim.waitForMessage(text('You are blocked in this bot. Reason: spam in the shop\nYour next messages are ignored without a reply for a while.'));

    const answer = await owner.pressCallbackButton(blocked, 'Unblock');
    expect(answer.text).toBe('Quentin is unblocked.');
    // The confirmation keeps saying who was blocked and why; the unblock is added below it.
    const unblocked = await owner.waitForEdit(text(/is unblocked\.$/));
    expect(unblocked.message_id).toBe(blocked.message_id);
    expect(unblocked.text).toBe('Quentin is blocked. Reason: spam in the shop\nQuentin is unblocked.');
    expect(buttonsOf(unblocked)).toEqual([`adm:blk:${quentin.id}:k`, `adm:apr:${quentin.id}:k`, 'adm:menu']);
    expect((await memberOf(quentin))?.status).toBe('MEMBER_STATUS_ACTIVE');
    await gatewaySeesLatestChangeOf(quentin);
    victim.sendCommand('help');
    await victim.waitForMessage(text(/^Here is what I can do:/));
  });

  it("offers only unblocking on a blocked member's card, and unblocking there shows the card unblocked", async () => {
    const uma = user('Uma', 'en', { username: 'uma_u' });
    await start(uma);
    await client.call(RPC.users.blockMember, { botId, admin: `telegram:${olga.id}`, targetTelegramUserId: String(uma.id), reason: 'rude' });

    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Find a user');
    await owner.waitForMessage(text(/^Send the user's @username/));
    owner.sendText('@uma_u');
    const results = await owner.waitForMessage(text('Found 1. Choose one:'));
    await owner.pressCallbackButton(results, 'Uma (@uma_u)');
    const card = await owner.waitForEdit(text(/^Uma \(@uma_u, id \d+\)/));
    expect(buttonsOf(card)).toEqual([`adm:unb:${uma.id}`, 'adm:menu']);
    expect(await owner.pressCallbackButton(card, 'Unblock')).toMatchObject({ text: 'Uma is unblocked.' });
    const active = await owner.waitForEdit(text(/^Uma [\s\S]*Status: active/));
    expect(buttonsOf(active)).toEqual([`adm:blk:${uma.id}`, `adm:apr:${uma.id}`, 'adm:menu']);
    expect((await memberOf(uma))?.status).toBe('MEMBER_STATUS_ACTIVE');
  });

  it('tells a blocked member, in their language, that their next messages go unanswered, and then answers none', async () => {
    const vera = user('Vera', 'ru');
    const chat = await start(vera);
    await client.call(RPC.users.blockMember, { botId, admin: `telegram:${olga.id}`, targetTelegramUserId: String(vera.id), reason: 'спам' });
    await gatewaySeesLatestChangeOf(vera);

    chat.sendText('привет');
    const notice = 'Вы заблокированы в этом боте. Причина: спам\nСледующие сообщения какое-то время останутся без ответа.';
    await chat.waitForMessage(text(notice));
    chat.sendText('ау?');
    // Updates are handled in order, so the owner's answer means Vera's second message was handled.
    owner.sendCommand('help');
    await owner.waitForMessage(text(/^Here is what I can do:/));
    expect(chat.botMessages().map((message) => message.text)).toEqual(['Здравствуйте, Vera! Я Shop. Отправьте /help, чтобы узнать, что я умею.', notice]);
  });

  it('lets the owner make an admin, who then sees /admin and may only propose admins', async () => {
    const rita = user('Rita', 'en', { username: 'rita_r' });
    const ritaChat = await start(rita);
    const sam = user('Sam', 'en', { username: 'sam_s' });
    await start(sam);

    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Find a user');
    await owner.waitForMessage(text(/^Send the user's @username/));
    owner.sendText(String(rita.id));
    const results = await owner.waitForMessage(text('Found 1. Choose one:'));
    await owner.pressCallbackButton(results, 'Rita (@rita_r)');
    const card = await owner.waitForEdit(text(/^Rita/));
    const approved = await owner.pressCallbackButton(card, 'Make admin');
    expect(approved.text).toBe('Rita is an admin now.');
    expect((await memberOf(rita))?.role).toBe('MEMBER_ROLE_ADMIN');
    expect((await auditOf({ action: 'member.admin-approved', target: `telegram:${rita.id}` })).map((entry) => entry.admin)).toEqual([`telegram:${olga.id}`]);
    const revocable = await owner.waitForEdit(text(/^Rita .*\nRole: admin/));
    expect(buttonsOf(revocable)).toContain(`adm:rev:${rita.id}`);

    await gatewaySeesLatestChangeOf(rita);
    ritaChat.sendCommand('help');
    const help = await ritaChat.waitForMessage(text(/^Here is what I can do:/));
    expect(help.text).toContain('/admin - the admin menu');
    const ritaMenu = await openMenu(ritaChat);
    await ritaChat.pressCallbackButton(ritaMenu, 'Find a user');
    await ritaChat.waitForMessage(text(/^Send the user's @username/));
    ritaChat.sendText('sam');
    const found = await ritaChat.waitForMessage(text('Found 1. Choose one:'));
    await ritaChat.pressCallbackButton(found, 'Sam (@sam_s)');
    const samCard = await ritaChat.waitForEdit(text(/^Sam/));
    expect(buttonsOf(samCard)).toEqual([`adm:blk:${sam.id}`, `adm:pro:${sam.id}`, 'adm:menu']);
    const proposed = await ritaChat.pressCallbackButton(samCard, 'Propose as admin');
    expect(proposed.text).toBe('Sam is proposed as admin; the owner decides.');
    expect(await memberOf(sam)).toMatchObject({ role: 'MEMBER_ROLE_USER', adminPending: true });
  });

  it('refuses an adm: button pressed by a member who is no longer an admin, in the users service, changing nothing', async () => {
    const mallory = user('Mallory', 'en', { username: 'mallory_m' });
    const chat = await start(mallory);
    const tina = user('Tina', 'en', { username: 'tina_t' });
    await start(tina);
    await client.call(RPC.users.approveAdmin, { botId, admin: `telegram:${olga.id}`, targetTelegramUserId: String(mallory.id) });
    await gatewaySeesLatestChangeOf(mallory);
    const menu = await openMenu(chat);
    await chat.pressCallbackButton(menu, 'Find a user');
    await chat.waitForMessage(text(/^Send the user's @username/));
    chat.sendText('@tina_t');
    const found = await chat.waitForMessage(text('Found 1. Choose one:'));
    await chat.pressCallbackButton(found, 'Tina (@tina_t)');
    const card = await chat.waitForEdit(text(/^Tina/));

    // The owner takes the rights back; Mallory still holds the buttons, as a forger would.
    await client.call(RPC.users.revokeAdmin, { botId, admin: `telegram:${olga.id}`, targetTelegramUserId: String(mallory.id) });
    await gatewaySeesLatestChangeOf(mallory);
    const audited = (await auditOf({})).length;
    expect(await chat.pressCallbackButton(card, 'Block')).toMatchObject({ text: "This menu is only for the bot's admins.", showAlert: true });
    expect(await chat.pressCallbackButton(menu, 'Feature flags')).toMatchObject({ text: "This menu is only for the bot's admins.", showAlert: true });
    expect((await memberOf(tina))?.status).toBe('MEMBER_STATUS_ACTIVE');
    expect((await auditOf({})).length).toBe(audited);
  });

  it('creates and switches feature flags', async () => {
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Feature flags');
    const empty = await owner.waitForEdit(text(/^This bot has no feature flags yet/));
    await owner.pressCallbackButton(empty, 'New flag');
    await owner.waitForMessage(text(/^Send a flag name/));
    owner.sendText('referrals');
    const created = await owner.waitForMessage(text('Flag referrals is now on.'));
    const toggled = await owner.pressCallbackButton(created, 'referrals: on');
    expect(toggled.text).toBe('Flag referrals is now off.');
    expect((await client.call(RPC.users.getBotConfig, { botId })).flags).toEqual({ referrals: false });
    // Two changes, both by the owner, newest first.
    const changes = await auditOf({ target: 'flag:referrals' });
    expect(changes.map((entry) => [entry.admin, JSON.parse(entry.detailsJson!).enabled])).toEqual([
      [`telegram:${olga.id}`, false],
      [`telegram:${olga.id}`, true],
    ]);
    await owner.waitForEdit((message) => buttonsOf(message).includes('adm:ft:1:referrals'));
  });

  it('writes a setting typed by its JSON value, asking again for a malformed one', async () => {
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Set a setting');
    await owner.waitForMessage(text(/^Send the setting as key=value/));
    owner.sendText('quota.daily.user: 20');
    await owner.waitForMessage(text(/^Please send key=value with a JSON value/));
    owner.sendText('quota.daily.user=20');
    await owner.waitForMessage(text('Setting quota.daily.user is now 20.'));
    owner.sendText('timezone');
    owner.sendCommand('help'); // the question was answered; plain text is no longer taken as a setting
    await owner.waitForMessage(text(/^Here is what I can do:/));
    const settings = (await client.call(RPC.users.getBotConfig, { botId })).settings ?? [];
    expect(settings.find((setting) => setting.key === 'quota.daily.user')).toMatchObject({ valueJson: '20', type: 'SETTING_TYPE_INT' });
    expect(settings.find((setting) => setting.key === 'timezone')?.valueJson).toBe('"UTC"');
    expect((await auditOf({ target: 'setting:quota.daily.user' })).map((entry) => entry.admin)).toEqual([`telegram:${olga.id}`]);
  });

  it('pages through the audit log newest first, with a cursor too long for callback data', async () => {
    for (let i = 1; i <= 12; i++) await client.call(RPC.users.setFeatureFlag, { botId, flag: `test.flag${i}`, enabled: true, changedBy: 'operator' });
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Audit log');
    const first = await owner.waitForEdit(text(/^Audit log, newest first:/));
    expect(first.text!.split('\n')[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC operator: bot\.feature-flag-changed flag:test\.flag12$/);
    expect(first.text!.split('\n')).toHaveLength(11);
    // The cursor stays in the users service's session slice: the button carries none.
    expect(buttonsOf(first)).toEqual(['adm:aud:more', 'adm:menu']);
    await owner.pressCallbackButton(first, 'More »');
    const second = await owner.waitForEdit(text(/^Audit log/));
    expect(second.text).not.toContain('test.flag12');
    // The next page starts where the first ended: the cursor was the users service's own.
    expect(second.text!.split('\n')[1]).toMatch(/ flag:test\.flag2$/);
  });

  it('cancels an awaited answer when a command comes instead', async () => {
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Find a user');
    await owner.waitForMessage(text(/^Send the user's @username/));
    const answered = owner.botMessages().length;
    owner.sendCommand('profile');
    await owner.waitForMessage(text(/^Your profile/));
    owner.sendText('Olga');
    owner.sendCommand('help');
    await owner.waitForMessage(text(/^Here is what I can do:/));
    // No search ran: the text after the command was not taken as the answer.
    const since = owner.botMessages().slice(answered);
    expect(since.some((message) => /^(Found \d+|Nobody matches)/.test(message.text ?? ''))).toBe(false);
  });
});
