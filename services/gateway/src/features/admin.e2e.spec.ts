import { RPC } from '@botplatform/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SandboxChat, SandboxUser } from '@botplatform/telegram-sandbox';
import type { Message } from 'grammy/types';
import { parseSetting } from './admin.composer.js';
import { BotPipelineHarness, type HostedTestBot } from './testing/bot-pipeline.harness.js';

const text = (pattern: RegExp | string) => (message: Message) => (typeof pattern === 'string' ? message.text === pattern : pattern.test(message.text ?? ''));

/** Every callback_data of a message's inline keyboard. */
const buttonsOf = (message: Message) =>
  (message.reply_markup?.inline_keyboard ?? []).flat().map((button) => ('callback_data' in button ? button.callback_data : button.text));

let harness: BotPipelineHarness;
let shop: HostedTestBot;
let olga: SandboxUser;
let owner: SandboxChat;

async function start(user: SandboxUser): Promise<SandboxChat> {
  const chat = shop.chat(user);
  chat.sendCommand('start');
  await chat.waitForMessage(text(new RegExp(`^(Hello|Здравствуйте), ${user.firstName}!`)));
  return chat;
}

async function openMenu(chat: SandboxChat): Promise<Message> {
  chat.sendCommand('admin');
  return chat.waitForMessage(text('Admin menu. What would you like to do?'));
}

beforeAll(async () => {
  harness = await BotPipelineHarness.start();
  olga = harness.user('Olga', 'en', { username: 'olga_owner' });
  // The owner clicks through every screen here, far faster than the incoming rate limit allows a human.
  shop = await harness.host({ name: 'Shop', ownerTelegramUserId: olga.id, incomingRateLimit: false });
  owner = await start(olga);
});

afterAll(async () => {
  await harness?.close();
});

describe('The admin menu', () => {
  it('refuses a member who is not an admin, in their language', async () => {
    const chat = await start(harness.user('Pavel', 'ru'));
    chat.sendCommand('admin');
    await chat.waitForMessage(text('Это меню только для администраторов бота.'));
    chat.sendCommand('help');
    const help = await chat.waitForMessage(text(/^Вот что я умею:/));
    expect(help.text).not.toContain('/admin');
  });

  it('shows the counts', async () => {
    const before = harness.users.count(shop.botId);
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Counts');
    const counts = await owner.waitForEdit(text(/^Members: /));
    expect(counts.text).toBe(
      [
        `Members: ${before.members}`,
        `Active today: ${before.activeToday}`,
        `Blocked the bot: ${before.blockedTheBot}`,
        `Blocked by an admin: ${before.blockedByAdmin}`,
        'Admins: 1',
      ].join('\n'),
    );
    expect(harness.users.callsOf(RPC.users.countMembers)).toContainEqual({ botId: shop.botId });
  });

  it('finds a user, blocks them with a reason (refused from then on) and unblocks them', async () => {
    const quentin = harness.user('Quentin', 'en', { username: 'quentin_q' });
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
    expect(harness.users.callsOf(RPC.users.blockMember)).toEqual([
      { botId: shop.botId, admin: `telegram:${olga.id}`, targetTelegramUserId: String(quentin.id), reason: 'spam in the shop' },
    ]);
    // A blocked member has no role to change: unblocking is the one action offered.
    expect(buttonsOf(blocked)).toEqual([`adm:unb:${quentin.id}:k`, 'adm:menu']);

    // The target's cached membership was dropped, so the very next update is refused.
    victim.sendCommand('help');
    await victim.waitForMessage(text('You are blocked in this bot. Reason: spam in the shop\nYour next messages are ignored without a reply for a while.'));

    const answer = await owner.pressCallbackButton(blocked, 'Unblock');
    expect(answer.text).toBe('Quentin is unblocked.');
    // The confirmation keeps saying who was blocked and why; the unblock is added below it.
    const unblocked = await owner.waitForEdit(text(/is unblocked\.$/));
    expect(unblocked.message_id).toBe(blocked.message_id);
    expect(unblocked.text).toBe('Quentin is blocked. Reason: spam in the shop\nQuentin is unblocked.');
    expect(buttonsOf(unblocked)).toEqual([`adm:blk:${quentin.id}:k`, `adm:apr:${quentin.id}:k`, 'adm:menu']);
    victim.sendCommand('help');
    await victim.waitForMessage(text(/^Here is what I can do:/));
  });

  it("offers only unblocking on a blocked member's card, and unblocking there shows the card unblocked", async () => {
    const uma = harness.user('Uma', 'en', { username: 'uma_u' });
    await start(uma);
    harness.users.updateMember(shop.botId, uma.id, { status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'rude' });

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
  });

  it('tells a blocked member, in their language, that their next messages go unanswered, and then answers none', async () => {
    const vera = harness.user('Vera', 'ru');
    const chat = await start(vera);
    harness.users.updateMember(shop.botId, vera.id, { status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'спам' });
    harness.memberCache.invalidate(shop.botId, vera.id); // what the member-cache consumer does on the event

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
    const rita = harness.user('Rita', 'en', { username: 'rita_r' });
    const ritaChat = await start(rita);
    const sam = harness.user('Sam', 'en', { username: 'sam_s' });
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
    expect(harness.users.callsOf(RPC.users.approveAdmin)).toContainEqual({
      botId: shop.botId,
      admin: `telegram:${olga.id}`,
      targetTelegramUserId: String(rita.id),
    });
    const revocable = await owner.waitForEdit(text(/^Rita .*\nRole: admin/));
    expect(buttonsOf(revocable)).toContain(`adm:rev:${rita.id}`);

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
    expect(harness.users.callsOf(RPC.users.setFeatureFlag)).toEqual([
      { botId: shop.botId, flag: 'referrals', enabled: true, changedBy: `telegram:${olga.id}` },
      { botId: shop.botId, flag: 'referrals', enabled: false, changedBy: `telegram:${olga.id}` },
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
    expect(harness.users.callsOf(RPC.users.setSetting)).toEqual([
      { botId: shop.botId, key: 'quota.daily.user', valueJson: '20', changedBy: `telegram:${olga.id}`, type: 'SETTING_TYPE_INT' },
    ]);
  });

  it('pages through the audit log newest first, with a cursor too long for callback data', async () => {
    for (let i = 1; i <= 12; i++) harness.users.audit(shop.botId, 'api:ops', `test.action-${i}`, 'bot', {});
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Audit log');
    const first = await owner.waitForEdit(text(/^Audit log, newest first:/));
    expect(first.text!.split('\n')[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC api:ops: test\.action-12 bot$/);
    expect(first.text!.split('\n')).toHaveLength(11);
    expect(buttonsOf(first)).toEqual(['adm:aud:more', 'adm:menu']);
    await owner.pressCallbackButton(first, 'More »');
    const second = await owner.waitForEdit(text(/^Audit log/));
    expect(second.text).not.toContain('test.action-12');
    expect(harness.users.callsOf(RPC.users.queryAudit).at(-1)).toMatchObject({
      botId: shop.botId,
      limit: 10,
      cursor: expect.stringMatching(/^audit-cursor-0{64}:10$/),
    });
  });

  it('cancels an awaited answer when a command comes instead', async () => {
    const menu = await openMenu(owner);
    await owner.pressCallbackButton(menu, 'Find a user');
    await owner.waitForMessage(text(/^Send the user's @username/));
    const finds = harness.users.callsOf(RPC.users.findMembers).length;
    owner.sendCommand('profile');
    await owner.waitForMessage(text(/^Your profile/));
    owner.sendText('Olga');
    owner.sendCommand('help');
    await owner.waitForMessage(text(/^Here is what I can do:/));
    expect(harness.users.callsOf(RPC.users.findMembers)).toHaveLength(finds);
  });
});

describe('parseSetting', () => {
  it.each([
    ['timezone="Europe/Berlin"', { key: 'timezone', valueJson: '"Europe/Berlin"', type: 'SETTING_TYPE_STRING' }],
    ['quota.daily.user = 20', { key: 'quota.daily.user', valueJson: '20', type: 'SETTING_TYPE_INT' }],
    ['shop.open=true', { key: 'shop.open', valueJson: 'true', type: 'SETTING_TYPE_BOOL' }],
    ['shop.rate=1.5', { key: 'shop.rate', valueJson: '1.5', type: 'SETTING_TYPE_JSON' }],
    ['shop.hours={"from": 9}', { key: 'shop.hours', valueJson: '{"from":9}', type: 'SETTING_TYPE_JSON' }],
  ])('reads %s', (input, expected) => {
    expect(parseSetting(input)).toEqual(expected);
  });

  it.each([['timezone'], ['=20'], ['Timezone=1'], ['timezone=Europe/Berlin'], ['timezone=']])('refuses %s', (input) => {
    expect(parseSetting(input)).toBeUndefined();
  });
});
