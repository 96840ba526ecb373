import type { InlineKeyboardMarkup, Message } from 'grammy/types';
import { badRequest, TelegramErrors } from '../../errors/telegram-api.error.js';
import type { SandboxCore } from '../../sandbox-core.js';
import type { BotRecord, ConversationRecord, StoredMessage } from '../../state/sandbox-records.js';
import type { MethodGroup } from '../bot-api-method.js';
import { resolveChat } from '../chat-access.js';
import { readCaption, readMessageText } from '../message-text.reader.js';
import type { MethodArguments } from '../method-arguments.js';
import { parseReplyMarkup } from '../reply-markup.parser.js';
import { copyWireObject } from '../../state/wire-objects.js';

/** Telegram lets bots delete messages for everyone only within 48 hours. */
const DELETE_WINDOW_SECONDS = 48 * 60 * 60;

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** Sending, editing and deleting text messages, chat actions, callback answers. */
export const messagesMethods: MethodGroup = (core) => ({
  sendMessage: ({ bot, args }) => {
    const text = readMessageText(core.store, args);
    const linkPreview = args.json('link_preview_options', 'link preview options');
    const options = core.sender.readSendOptions(args);
    const target = core.sender.resolveTarget(bot, args);
    const content = {
      ...text,
      ...(isPlainObject(linkPreview) ? { link_preview_options: linkPreview } : {}),
    };
    return copyWireObject(core.sender.send(bot, target, content, options).message);
  },

  editMessageText: ({ bot, args }) => {
    const text = readMessageText(core.store, args);
    const markup = readInlineMarkup(args);
    const { conversation, stored } = findEditableMessage(core, bot, args);
    const message = stored.message;
    if (message.text === undefined) {
      throw message.invoice ? TelegramErrors.messageCantBeEdited() : TelegramErrors.noTextToEdit();
    }
    const unchanged = message.text === text.text && sameJson(message.entities, text.entities) && sameJson(message.reply_markup, markup);
    if (unchanged) throw TelegramErrors.messageNotModified();
    message.text = text.text;
    setOptional(message, 'entities', text.entities);
    setOptional(message, 'reply_markup', markup);
    return finishEdit(core, conversation, stored);
  },

  editMessageCaption: ({ bot, args }) => {
    const caption = readCaption(args);
    const markup = readInlineMarkup(args);
    const { conversation, stored } = findEditableMessage(core, bot, args);
    const message = stored.message;
    if (message.text !== undefined || message.invoice) throw TelegramErrors.messageCantBeEdited();
    const unchanged =
      message.caption === caption.caption && sameJson(message.caption_entities, caption.caption_entities) && sameJson(message.reply_markup, markup);
    if (unchanged) throw TelegramErrors.messageNotModified();
    setOptional(message, 'caption', caption.caption);
    setOptional(message, 'caption_entities', caption.caption_entities);
    setOptional(message, 'reply_markup', markup);
    return finishEdit(core, conversation, stored);
  },

  editMessageReplyMarkup: ({ bot, args }) => {
    const markup = readInlineMarkup(args);
    const { conversation, stored } = findEditableMessage(core, bot, args);
    if (sameJson(stored.message.reply_markup, markup)) throw TelegramErrors.messageNotModified();
    setOptional(stored.message, 'reply_markup', markup);
    return finishEdit(core, conversation, stored);
  },

  deleteMessage: ({ bot, args }) => {
    if (args.string('chat_id').trim() === '') throw badRequest('chat identifier is not specified');
    const messageId = args.messageId();
    if (messageId === 0) throw TelegramErrors.messageIdNotSpecified();
    const { conversation, group } = resolveChat(core.store, bot, args.chatId(), 'write');
    const stored = core.store.findMessage(conversation, messageId);
    if (!stored) throw TelegramErrors.messageToDeleteNotFound();
    const ownMessage = stored.author.kind === 'bot' && stored.author.botId === bot.id;
    const canDeleteOthers = conversation.kind === 'private' || group?.bots.get(bot.id) === 'administrator';
    if (!ownMessage && !canDeleteOthers) throw TelegramErrors.messageCantBeDeletedForEveryone();
    if (core.clock.unixTime() - stored.message.date > DELETE_WINDOW_SECONDS) throw TelegramErrors.messageCantBeDeletedForEveryone();
    core.store.markDeleted(conversation, stored);
    return true;
  },

  sendChatAction: ({ bot, args }) => {
    const action = args.string('action');
    if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    const { conversation } = resolveChat(core.store, bot, args.chatId(), 'write');
    const record = { action, date: core.clock.unixTime() };
    conversation.chatActions.push(record);
    core.store.emit({ type: 'chat_action', conversationKey: conversation.key, action: record, botId: bot.id });
    return true;
  },

  answerCallbackQuery: ({ bot, args }) => {
    const { conversationKey, answer } = core.callbacks.answer(bot.id, args.string('callback_query_id').trim(), {
      text: args.optionalString('text'),
      showAlert: args.bool('show_alert'),
      url: args.optionalString('url'),
      cacheTime: args.int('cache_time', 0, 0, 30 * 24 * 60 * 60),
    });
    core.store.findConversation(conversationKey)?.callbackAnswers.push(answer);
    core.store.emit({ type: 'callback_answer', conversationKey, answer });
    return true;
  },
});

/** Edits accept only inline keyboards; omitting reply_markup removes the message's keyboard. */
function readInlineMarkup(args: MethodArguments): InlineKeyboardMarkup | undefined {
  const markup = parseReplyMarkup(args.string('reply_markup'));
  if (markup && markup.kind !== 'inline') throw badRequest('inline keyboard expected');
  return markup?.markup;
}

function findEditableMessage(core: SandboxCore, bot: BotRecord, args: MethodArguments): { conversation: ConversationRecord; stored: StoredMessage } {
  if (args.string('chat_id').trim() === '' && args.messageId() === 0) {
    // Inline messages do not exist in the sandbox (no inline mode), so any id is unknown.
    if (args.string('inline_message_id') === '') throw TelegramErrors.messageIdNotSpecified();
    throw badRequest('MESSAGE_ID_INVALID');
  }
  const { conversation } = resolveChat(core.store, bot, args.chatId(), 'write');
  const messageId = args.messageId();
  if (messageId === 0) throw TelegramErrors.messageIdNotSpecified();
  const stored = core.store.findMessage(conversation, messageId);
  if (!stored) throw TelegramErrors.messageToEditNotFound();
  if (stored.author.kind !== 'bot' || stored.author.botId !== bot.id) throw TelegramErrors.messageCantBeEdited();
  return { conversation, stored };
}

function finishEdit(core: SandboxCore, conversation: ConversationRecord, stored: StoredMessage): Message {
  stored.message.edit_date = core.clock.unixTime();
  core.store.markEdited(conversation, stored);
  return copyWireObject(stored.message);
}

function setOptional<K extends keyof Message>(message: Message, key: K, value: Message[K] | undefined): void {
  if (value === undefined) delete message[key];
  else message[key] = value;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function isPlainObject(value: unknown): value is Record<string, never> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
