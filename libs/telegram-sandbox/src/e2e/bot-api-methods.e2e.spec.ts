import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, InputFile } from 'grammy';
import { TelegramSandbox } from '../index.js';
import { makePng } from '../test-support/png-image.js';
import { expectTelegramError } from '../test-support/telegram-error.expectation.js';

describe('Bot API methods', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  let counter = 0;

  beforeAll(async () => {
    await sandbox.start();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  /** A bot's Api client and a user who already wrote to it. */
  function setup() {
    const bot = sandbox.createBot({ username: `methods${++counter}_bot` });
    const user = sandbox.createUser({ firstName: 'Alice', username: `alice_${counter}` });
    const chat = sandbox.chat(user, bot);
    chat.sendText('hello');
    return { bot, user, chat, api: new Api(bot.token, { apiRoot: sandbox.apiRoot }) };
  }

  describe('sendMessage', () => {
    it('refuses empty and whitespace-only text', async () => {
      const { api, user } = setup();
      await expectTelegramError(api.sendMessage(user.id, ''), 400, 'Bad Request: message text is empty');
      await expectTelegramError(api.sendMessage(user.id, '  \n '), 400, 'Bad Request: message text is empty');
    });

    it('refuses text longer than 4096 characters', async () => {
      const { api, user } = setup();
      await expectTelegramError(api.sendMessage(user.id, 'x'.repeat(4097)), 400, 'Bad Request: message is too long');
      await expect(api.sendMessage(user.id, 'x'.repeat(4096))).resolves.toMatchObject({ text: 'x'.repeat(4096) });
    });

    it('tells an unknown chat from a user who never started the bot', async () => {
      const { api } = setup();
      const stranger = sandbox.createUser({ firstName: 'Stranger' });
      await expectTelegramError(api.sendMessage(42, 'hi'), 400, 'Bad Request: chat not found');
      await expectTelegramError(api.sendMessage(stranger.id, 'hi'), 403, "Forbidden: bot can't initiate conversation with a user");
    });

    it('parses HTML into entities with UTF-16 offsets', async () => {
      const { api, user } = setup();
      const message = await api.sendMessage(user.id, '🎉 <b>Bold</b> and <a href="https://example.com">link</a>', { parse_mode: 'HTML' });
      expect(message.text).toBe('🎉 Bold and link');
      expect(message.entities).toEqual([
        { type: 'bold', offset: 3, length: 4 },
        { type: 'text_link', offset: 12, length: 4, url: 'https://example.com' },
      ]);
    });

    it('reports HTML and MarkdownV2 mistakes with the parser texts Telegram uses', async () => {
      const { api, user } = setup();
      await expectTelegramError(
        api.sendMessage(user.id, '<b>open', { parse_mode: 'HTML' }),
        400,
        'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
      );
      await expectTelegramError(
        api.sendMessage(user.id, 'Price: 5.00', { parse_mode: 'MarkdownV2' }),
        400,
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
      );
      await expectTelegramError(
        api.sendMessage(user.id, 'a *bold', { parse_mode: 'MarkdownV2' }),
        400,
        "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 2",
      );
      await expectTelegramError(api.sendMessage(user.id, 'x', { parse_mode: 'BBCode' as 'HTML' }), 400, 'Bad Request: unsupported parse_mode');
    });

    it('replies to a message with reply_parameters and refuses a missing one', async () => {
      const { api, user, chat } = setup();
      const [hello] = chat.messages();
      const reply = await api.sendMessage(user.id, 'Hi Alice', { reply_parameters: { message_id: hello.message_id } });
      expect(reply.reply_to_message).toMatchObject({ message_id: hello.message_id, text: 'hello' });

      await expectTelegramError(
        api.sendMessage(user.id, 'to nowhere', { reply_parameters: { message_id: 999 } }),
        400,
        'Bad Request: message to be replied not found',
      );
      const lenient = await api.sendMessage(user.id, 'anyway', {
        reply_parameters: { message_id: 999, allow_sending_without_reply: true },
      });
      expect(lenient.reply_to_message).toBeUndefined();
    });

    it('validates inline keyboards', async () => {
      const { api, user } = setup();
      await expectTelegramError(
        api.sendMessage(user.id, 'x', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'd'.repeat(65) }]] } }),
        400,
        'Bad Request: BUTTON_DATA_INVALID',
      );
      await expectTelegramError(
        api.raw.sendMessage({ chat_id: user.id, text: 'x', reply_markup: { inline_keyboard: [[{ text: 'plain' } as never]] } }),
        400,
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
      );
    });

    it('shows, hides after use and removes reply keyboards', async () => {
      const { api, user, chat } = setup();
      await api.sendMessage(user.id, 'Pick one', {
        reply_markup: { keyboard: [[{ text: 'Red' }, { text: 'Blue' }]], one_time_keyboard: true, resize_keyboard: true },
      });
      expect(chat.replyKeyboard()?.keyboard).toEqual([[{ text: 'Red' }, { text: 'Blue' }]]);
      chat.sendText('Blue');
      expect(chat.replyKeyboard()).toBeUndefined();

      await api.sendMessage(user.id, 'Again', { reply_markup: { keyboard: [[{ text: 'Yes' }]] } });
      await api.sendMessage(user.id, 'Done', { reply_markup: { remove_keyboard: true } });
      expect(chat.replyKeyboard()).toBeUndefined();
    });
  });

  describe('editing and deleting', () => {
    it('edits text, and refuses an edit that changes nothing', async () => {
      const { api, user, chat } = setup();
      const keyboard = { inline_keyboard: [[{ text: 'Next', callback_data: 'next' }]] };
      const sent = await api.sendMessage(user.id, 'Step 1', { reply_markup: keyboard });
      const edited = await api.editMessageText(user.id, sent.message_id, 'Step 2', { reply_markup: keyboard });
      expect(edited).toMatchObject({ text: 'Step 2', edit_date: expect.any(Number), reply_markup: keyboard });

      await expectTelegramError(
        api.editMessageText(user.id, sent.message_id, 'Step 2', { reply_markup: keyboard }),
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
      const withoutKeyboard = await api.editMessageText(user.id, sent.message_id, 'Step 2');
      expect(withoutKeyboard).toMatchObject({ text: 'Step 2' });
      expect((withoutKeyboard as { reply_markup?: unknown }).reply_markup).toBeUndefined();
      expect(chat.messages().at(-1)?.text).toBe('Step 2');
    });

    it('refuses to edit missing messages and messages it did not send', async () => {
      const { api, user, chat } = setup();
      const [hello] = chat.messages();
      await expectTelegramError(api.editMessageText(user.id, 999, 'x'), 400, 'Bad Request: message to edit not found');
      await expectTelegramError(api.editMessageText(user.id, hello.message_id, 'x'), 400, "Bad Request: message can't be edited");
    });

    it('edits and removes the inline keyboard alone', async () => {
      const { api, user } = setup();
      const sent = await api.sendMessage(user.id, 'Menu');
      const withKeyboard = await api.editMessageReplyMarkup(user.id, sent.message_id, {
        reply_markup: { inline_keyboard: [[{ text: 'Open', url: 'https://example.com' }]] },
      });
      expect(withKeyboard).toMatchObject({ reply_markup: { inline_keyboard: [[{ text: 'Open', url: 'https://example.com' }]] } });
      const cleared = await api.editMessageReplyMarkup(user.id, sent.message_id);
      expect(cleared).toMatchObject({ text: 'Menu' });
      expect((cleared as { reply_markup?: unknown }).reply_markup).toBeUndefined();
      await expectTelegramError(
        api.editMessageReplyMarkup(user.id, sent.message_id),
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    });

    it('deletes a message once, and not after 48 hours', async () => {
      const { api, user, chat } = setup();
      const sent = await api.sendMessage(user.id, 'temporary');
      await expect(api.deleteMessage(user.id, sent.message_id)).resolves.toBe(true);
      expect(chat.messages().map((message) => message.text)).toEqual(['hello']);
      await expectTelegramError(api.deleteMessage(user.id, sent.message_id), 400, 'Bad Request: message to delete not found');

      const old = await api.sendMessage(user.id, 'old news');
      await sandbox.advanceTime({ hours: 49 });
      await expectTelegramError(api.deleteMessage(user.id, old.message_id), 400, "Bad Request: message can't be deleted for everyone");
    });
  });

  describe('interactions', () => {
    it('records answerCallbackQuery and refuses unknown or repeated answers', async () => {
      const { api, user, chat } = setup();
      const sent = await api.sendMessage(user.id, 'Vote', { reply_markup: { inline_keyboard: [[{ text: '👍', callback_data: 'up' }]] } });
      const press = chat.pressButton(sent, '👍');
      if (press.kind !== 'callback') throw new Error('expected a callback button');
      await api.answerCallbackQuery(press.callbackQueryId, { text: 'Counted', show_alert: true });
      await expect(press.waitForAnswer()).resolves.toMatchObject({ text: 'Counted', showAlert: true, data: 'up' });

      const tooOld = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
      await expectTelegramError(api.answerCallbackQuery(press.callbackQueryId), 400, tooOld);
      await expectTelegramError(api.answerCallbackQuery('12345'), 400, tooOld);
    });

    it('records chat actions and refuses unknown ones', async () => {
      const { api, user, chat } = setup();
      await api.sendChatAction(user.id, 'typing');
      expect(chat.chatActions().map((record) => record.action)).toEqual(['typing']);
      await expectTelegramError(api.sendChatAction(user.id, 'dancing' as 'typing'), 400, 'Bad Request: wrong parameter action in request');
    });
  });

  describe('chats and commands', () => {
    it('describes private chats and members', async () => {
      const { api, user, bot } = setup();
      await expect(api.getChat(user.id)).resolves.toMatchObject({ id: user.id, type: 'private', first_name: 'Alice', username: user.username });
      await expect(api.getChatMember(user.id, user.id)).resolves.toMatchObject({ status: 'member', user: { id: user.id } });
      await expectTelegramError(api.getChat(-100), 400, 'Bad Request: chat not found');
      await expectTelegramError(api.getChatMember(user.id, 0), 400, 'Bad Request: invalid user_id specified');
      expect(bot.user.is_bot).toBe(true);
    });

    it('describes group members, and refuses groups the bot is not in', async () => {
      const { api, bot } = setup();
      const owner = sandbox.createUser({ firstName: 'Olga' });
      const member = sandbox.createUser({ firstName: 'Max' });
      const outsider = sandbox.createUser({ firstName: 'Out' });
      const group = sandbox.createGroup({ title: 'Club', members: [owner, member], bots: [{ bot, status: 'administrator' }] });
      const otherGroup = sandbox.createGroup({ title: 'Elsewhere', members: [owner] });

      await expect(api.getChatMember(group.id, owner.id)).resolves.toMatchObject({ status: 'creator' });
      await expect(api.getChatMember(group.id, member.id)).resolves.toMatchObject({ status: 'member' });
      await expect(api.getChatMember(group.id, outsider.id)).resolves.toMatchObject({ status: 'left' });
      await expect(api.getChatMember(group.id, bot.id)).resolves.toMatchObject({ status: 'administrator', can_delete_messages: true });
      await expect(api.getChat(group.id)).resolves.toMatchObject({ id: group.id, type: 'supergroup', title: 'Club' });
      await expectTelegramError(api.sendMessage(otherGroup.id, 'hi'), 403, 'Forbidden: bot is not a member of the supergroup chat');
    });

    it('delivers only commands, mentions and replies to a bot in privacy mode', async () => {
      const privacyBot = sandbox.createBot({ username: `privacy${++counter}_bot` });
      const member = sandbox.createUser({ firstName: 'Pia' });
      const group = sandbox.createGroup({ title: 'Quiet', members: [member], bots: [privacyBot] });
      const chat = sandbox.chat(group, privacyBot);
      chat.sendText('just chatting');
      chat.sendCommand('help');
      chat.sendText(`hey @${privacyBot.username}`);

      const texts = sandbox.pendingUpdates(privacyBot).flatMap((update) => (update.message?.text ? [update.message.text] : []));
      expect(texts).toEqual([`/help@${privacyBot.username}`, `hey @${privacyBot.username}`]);
    });

    it('stores commands per scope and language', async () => {
      const { api, user } = setup();
      await api.setMyCommands([{ command: 'start', description: 'Start' }]);
      await api.setMyCommands([{ command: 'start', description: 'Начать' }], { language_code: 'ru' });
      await api.setMyCommands([{ command: 'vip', description: 'VIP menu' }], { scope: { type: 'chat', chat_id: user.id } });

      await expect(api.getMyCommands()).resolves.toEqual([{ command: 'start', description: 'Start' }]);
      await expect(api.getMyCommands({ language_code: 'ru' })).resolves.toEqual([{ command: 'start', description: 'Начать' }]);
      await expect(api.getMyCommands({ scope: { type: 'chat', chat_id: user.id } })).resolves.toEqual([{ command: 'vip', description: 'VIP menu' }]);
      await expect(api.getMyCommands({ scope: { type: 'all_group_chats' } })).resolves.toEqual([]);
      await expectTelegramError(api.setMyCommands([{ command: 'Bad Command', description: 'x' }]), 400, 'Bad Request: BOT_COMMAND_INVALID');

      await api.deleteMyCommands({ language_code: 'ru' });
      await expect(api.getMyCommands({ language_code: 'ru' })).resolves.toEqual([]);
    });
  });

  describe('files', () => {
    it('gives an uploaded photo new file ids and reuses them when sent by file_id', async () => {
      const { api, user } = setup();
      const uploaded = await api.sendPhoto(user.id, new InputFile(makePng(1000, 500), 'cat.png'), { caption: 'A <b>cat</b>', parse_mode: 'HTML' });
      expect(uploaded.caption).toBe('A cat');
      expect(uploaded.caption_entities).toEqual([{ type: 'bold', offset: 2, length: 3 }]);
      expect(uploaded.photo.map((size) => [size.width, size.height])).toEqual([
        [90, 45],
        [320, 160],
        [800, 400],
        [1000, 500],
      ]);
      expect(new Set(uploaded.photo.map((size) => size.file_id)).size).toBe(4);

      const largest = uploaded.photo.at(-1)!;
      const resent = await api.sendPhoto(user.id, largest.file_id);
      expect(resent.photo.map((size) => size.file_unique_id)).toEqual(uploaded.photo.map((size) => size.file_unique_id));

      const another = await api.sendPhoto(user.id, new InputFile(makePng(1000, 500)));
      expect(another.photo.at(-1)!.file_id).not.toBe(largest.file_id);
    });

    it('refuses files that are not images, ids of another kind, and ids of another bot', async () => {
      const { api, user } = setup();
      await expectTelegramError(api.sendPhoto(user.id, new InputFile(Buffer.from('not an image'))), 400, 'Bad Request: IMAGE_PROCESS_FAILED');
      const doc = await api.sendDocument(user.id, new InputFile(Buffer.from('a,b\n1,2\n'), 'report.csv'));
      expect(doc.document).toMatchObject({ file_name: 'report.csv', mime_type: 'text/csv', file_size: 8 });
      await expectTelegramError(api.sendPhoto(user.id, doc.document.file_id), 400, "Bad Request: can't use file of type Document as Photo");
      await expectTelegramError(api.sendPhoto(user.id, 'AgACAgIAAxkBAAIunknown'), 400, 'Bad Request: wrong file identifier/HTTP URL specified');

      const other = setup();
      await expectTelegramError(other.api.sendDocument(other.user.id, doc.document.file_id), 400, 'Bad Request: wrong file identifier/HTTP URL specified');
    });

    it('serves uploaded files through getFile and /file/bot<token>/<path>', async () => {
      const { api, user, bot } = setup();
      const content = Buffer.from('hello file');
      const sent = await api.sendDocument(user.id, new InputFile(content, 'hello.txt'));
      const file = await api.getFile(sent.document.file_id);
      expect(file).toMatchObject({ file_id: sent.document.file_id, file_size: content.length, file_path: expect.stringMatching(/^documents\//) });
      const download = await fetch(`${sandbox.apiRoot}/file/bot${bot.token}/${file.file_path}`);
      expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('hello file');
    });
  });
});
