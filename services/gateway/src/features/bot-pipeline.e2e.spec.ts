import { RPC } from '@botplatform/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@botplatform/testing';
import { Composer } from 'grammy';
import type { Message, Update } from 'grammy/types';
import type { BotContext } from '../bot/bot-context.js';
import { BotPipelineHarness, type HostedTestBot } from './testing/bot-pipeline.harness.js';

const REGISTER = RPC.users.registerUser;
const RECORD_BLOCKED = RPC.users.recordBotBlocked;
const ENGLISH_HELP = /^Here is what I can do:/;
const RUSSIAN_HELP = /^Вот что я умею:/;

const text = (pattern: RegExp | string) => (message: Message) => (typeof pattern === 'string' ? message.text === pattern : pattern.test(message.text ?? ''));

let harness: BotPipelineHarness;
let shop: HostedTestBot;

/** A handler that fails, as a feature with a bug would. */
const failing = new Composer<BotContext>();
failing.command('boom', () => {
  throw new Error('feature bug');
});

beforeAll(async () => {
  harness = await BotPipelineHarness.start();
  shop = await harness.host({ name: 'Shop', extra: failing });
});

afterAll(async () => {
  await harness?.close();
});

describe('A hosted bot running the pipeline', () => {
  describe('/start', () => {
    it('greets an English user in English with the bot name, registering them as a member', async () => {
      const alice = harness.user('Alice', 'en', { username: 'alice_en' });
      const chat = shop.chat(alice);
      chat.sendCommand('start');
      await chat.waitForMessage(text('Hello, Alice! I am Shop. Send /help to see what I can do.'));
      expect(harness.users.callsOf(REGISTER).filter((call) => call.telegramUserId === String(alice.id))).toEqual([
        { botId: shop.botId, telegramUserId: String(alice.id), username: 'alice_en', firstName: 'Alice', languageCode: 'en', isPremium: false },
      ]);
    });

    it('greets a Russian user (ru-RU) in Russian and keeps the deep-link payload on the membership', async () => {
      const boris = harness.user('Борис', 'ru-RU');
      const chat = shop.chat(boris);
      chat.sendCommand('start', 'ref42');
      await chat.waitForMessage(text('Здравствуйте, Борис! Я Shop. Отправьте /help, чтобы узнать, что я умею.'));
      expect(harness.users.member(shop.botId, boris.id)?.startPayload).toBe('ref42');
    });
  });

  it('registers a user writing ten messages once, and again at once when their profile changes', async () => {
    const carol = harness.user('Carol');
    const chat = shop.chat(carol);
    for (let i = 0; i < 10; i++) chat.sendCommand('help');
    for (let i = 0; i < 10; i++) await chat.waitForMessage(text(ENGLISH_HELP));
    const registrations = () => harness.users.callsOf(REGISTER).filter((call) => call.telegramUserId === String(carol.id));
    expect(registrations()).toHaveLength(1);
    chat.sendCommand('start', 'promo');
    await chat.waitForMessage(text(/^Hello, Carol!/));
    expect(registrations()).toHaveLength(2);
    expect(registrations()[1]).toMatchObject({ startPayload: 'promo' });
  });

  it('switches the language with /language: the answer and the next replies speak the new one', async () => {
    const dave = harness.user('Dave');
    const chat = shop.chat(dave);
    chat.sendCommand('language');
    const menu = await chat.waitForMessage(text(/^Current language: English/));
    const answer = await chat.pressCallbackButton(menu, 'Русский');
    expect(answer.text).toBe('Готово! Теперь я говорю с вами на языке: Русский.');
    await chat.waitForEdit(text('Готово! Теперь я говорю с вами на языке: Русский.'));
    expect(harness.users.callsOf(RPC.users.setMemberLanguage)).toContainEqual({ botId: shop.botId, telegramUserId: String(dave.id), languageCode: 'ru' });
    chat.sendCommand('help');
    await chat.waitForMessage(text(RUSSIAN_HELP));

    chat.sendCommand('language');
    const again = await chat.waitForMessage(text(/^Текущий язык: Русский/));
    await chat.pressCallbackButton(again, 'Как в Telegram');
    chat.sendCommand('help');
    await chat.waitForMessage(text(ENGLISH_HELP));
    expect(harness.users.member(shop.botId, dave.id)?.languageOverride).toBeUndefined();
  });

  it('refuses a member blocked by an admin politely, once a minute, and runs nothing else', async () => {
    const frank = harness.user('Frank');
    const bystander = harness.user('Bystander');
    const chat = shop.chat(frank);
    chat.sendCommand('start');
    await chat.waitForMessage(text(/^Hello, Frank!/));
    harness.users.updateMember(shop.botId, frank.id, { status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'spam' });
    harness.memberCache.invalidate(shop.botId, frank.id); // what the member-cache consumer does on the event

    for (let i = 0; i < 3; i++) chat.sendCommand('help');
    await chat.waitForMessage(text('You are blocked in this bot. Reason: spam\nYour next messages are ignored without a reply for a while.'));
    // Updates are handled in order, so the bystander's answer means Frank's three were handled.
    shop.chat(bystander).sendCommand('help');
    await shop.chat(bystander).waitForMessage(text(ENGLISH_HELP));
    expect(chat.botMessages().map((message) => message.text)).toEqual([
      'Hello, Frank! I am Shop. Send /help to see what I can do.',
      'You are blocked in this bot. Reason: spam\nYour next messages are ignored without a reply for a while.',
    ]);
  });

  it('drops a burst of 40 updates beyond the rate limit, answering the first ones and saying "slow down" once', async () => {
    const grace = harness.user('Grace');
    const bystander = harness.user('Bystander');
    const chat = shop.chat(grace);
    for (let i = 0; i < 40; i++) chat.sendCommand('help');
    const bystanderChat = shop.chat(bystander);
    bystanderChat.sendCommand('help');
    await bystanderChat.waitForMessage(text(ENGLISH_HELP), { timeoutMs: 10_000 });
    const texts = chat.botMessages().map((message) => message.text ?? '');
    expect(texts.filter((t) => ENGLISH_HELP.test(t))).toHaveLength(20);
    expect(texts.filter((t) => t.startsWith('You are sending too much too fast'))).toHaveLength(1);
    expect(texts).toHaveLength(21);
    expect(texts.slice(0, 20).every((t) => ENGLISH_HELP.test(t))).toBe(true);
  });

  describe('when a handler fails', () => {
    it("answers politely in the user's language with a reference, logs it, and keeps serving", async () => {
      const hanna = harness.user('Ханна', 'ru');
      const chat = shop.chat(hanna);
      chat.sendCommand('boom');
      const apology = await chat.waitForMessage(text(/^Что-то пошло не так\. Код для обращения: [0-9a-f]{8}$/));
      const reference = apology.text!.slice(-8);
      const logged = harness.logger.errors().find((entry) => entry.message.includes(`(correlation ${reference}`));
      expect(logged?.message).toMatch(new RegExp(`^update \\d+ of bot ${shop.botId} failed \\(correlation ${reference}[0-9a-f-]{28}\\): Error: feature bug$`));
      expect(logged?.message).not.toContain(shop.telegram.token);

      chat.sendCommand('help');
      await chat.waitForMessage(text(RUSSIAN_HELP));
    });

    it('answers a typed error of the users service with its own text', async () => {
      const ivan = harness.user('Ivan');
      const chat = shop.chat(ivan);
      harness.users.failNext(REGISTER, 'USERS.QUOTA_EXCEEDED', 'daily quota of 20 used', {
        used: 20,
        limit: 20,
        requested: 1,
        resetsAt: '2026-11-24T21:00:00.000Z',
      });
      chat.sendCommand('help');
      await chat.waitForMessage(text("You have reached today's limit. It resets at 21:00 UTC."));
      harness.users.failNext(REGISTER, 'INTERNAL', 'internal error');
      chat.sendCommand('help');
      await chat.waitForMessage(text(/^Something went wrong\. Reference: [0-9a-f]{8}$/));
      chat.sendCommand('help');
      await chat.waitForMessage(text(ENGLISH_HELP));
    });
  });

  describe('when the user blocks the bot', () => {
    it('records it from my_chat_member, and the unblock too', async () => {
      const judy = harness.user('Judy');
      const chat = shop.chat(judy);
      chat.sendCommand('start');
      await chat.waitForMessage(text(/^Hello, Judy!/));
      chat.block();
      await waitFor('the block recorded', () => harness.users.member(shop.botId, judy.id)?.status === 'MEMBER_STATUS_BOT_BLOCKED_BY_USER');
      expect(harness.users.callsOf(RECORD_BLOCKED)).toContainEqual({ botId: shop.botId, telegramUserId: String(judy.id), blocked: true });
      chat.unblock();
      await waitFor('the unblock recorded', () => harness.users.member(shop.botId, judy.id)?.status === 'MEMBER_STATUS_ACTIVE');
      expect(harness.users.callsOf(RECORD_BLOCKED)).toContainEqual({ botId: shop.botId, telegramUserId: String(judy.id), blocked: false });
    });

    it('records the unblock when a member recorded as blocking the bot writes again', async () => {
      const karl = harness.user('Karl');
      const chat = shop.chat(karl);
      chat.sendCommand('start');
      await chat.waitForMessage(text(/^Hello, Karl!/));
      // As if the unblock's my_chat_member had been missed.
      harness.users.updateMember(shop.botId, karl.id, { status: 'MEMBER_STATUS_BOT_BLOCKED_BY_USER' });
      harness.memberCache.invalidate(shop.botId, karl.id);
      chat.sendCommand('help');
      await chat.waitForMessage(text(ENGLISH_HELP));
      expect(harness.users.callsOf(RECORD_BLOCKED)).toContainEqual({ botId: shop.botId, telegramUserId: String(karl.id), blocked: false });
      expect(harness.users.member(shop.botId, karl.id)?.status).toBe('MEMBER_STATUS_ACTIVE');
    });
  });

  it('passes over updates without a usable sender: nothing answered, nothing registered, the malformed one logged', async () => {
    const registrations = harness.users.callsOf(REGISTER).length;
    const date = Math.floor(Date.now() / 1000);
    await shop.bot.handleUpdate({
      update_id: 990_001,
      channel_post: { message_id: 1, date, chat: { id: -100_123, type: 'channel', title: 'News' }, text: '/start' },
    } as Update);
    await shop.bot.handleUpdate({
      update_id: 990_002,
      message: { message_id: 2, date, chat: { id: 77, type: 'private', first_name: '' }, from: { id: -77, is_bot: false, first_name: '' }, text: '/start' },
    } as Update);
    await shop.bot.handleUpdate({
      update_id: 990_003,
      message: { message_id: 3, date, chat: { id: 78, type: 'private', first_name: 'x' }, text: '/help' },
    } as Update);
    expect(harness.users.callsOf(REGISTER)).toHaveLength(registrations);
    expect(harness.logger.entries.filter((entry) => entry.message.startsWith('update 990002 '))).toEqual([
      { level: 'warn', message: expect.stringContaining('passed over: malformed sender'), details: [] },
    ]);
    expect(harness.logger.errors().filter((entry) => /update 99000\d/.test(entry.message))).toEqual([]);
  });

  it("names its own commands per language, as the menus list them first (the services' follow)", async () => {
    const { gatewayCommands } = await import('./bot-pipeline.js');
    expect(gatewayCommands('en')).toEqual([
      { command: 'start', description: 'Start the bot' },
      { command: 'help', description: 'What this bot can do' },
      { command: 'language', description: 'Choose the language' },
    ]);
    expect(gatewayCommands('ru').map((command) => command.description)).toEqual(['Запустить бота', 'Что умеет этот бот', 'Выбрать язык']);
  });
});
