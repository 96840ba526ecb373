import type { Chat } from 'grammy/types';
import { forbidden, TelegramErrors } from '../errors/telegram-api.error.js';
import type { BotRecord, ConversationRecord, GroupRecord, UserRecord } from '../state/sandbox-records.js';
import type { SandboxStore } from '../state/sandbox-store.js';
import { groupChat, privateChat } from '../state/wire-objects.js';

/** A chat a bot addressed by `chat_id`, after Telegram's access checks. */
export interface ResolvedChat {
  conversation: ConversationRecord;
  chat: Chat;
  user?: UserRecord;
  group?: GroupRecord;
}

/** `write` for sending/editing (blocked users and non-members fail with 403), `read` for getChat and friends. */
export type ChatAccess = 'write' | 'read';

/**
 * Resolves a `chat_id` argument for a bot the way Telegram does: numeric ids or @usernames of
 * public groups; a user is reachable only after talking to the bot, and not while blocking it.
 */
export function resolveChat(store: SandboxStore, bot: BotRecord, chatIdText: string, access: ChatAccess): ResolvedChat {
  const chatId = parseChatId(store, chatIdText);
  if (chatId === undefined) throw TelegramErrors.chatNotFound();

  if (chatId > 0) {
    if (store.bots.has(chatId)) {
      // Bots cannot talk to bots; a bot has no chat with itself at all.
      throw chatId === bot.id || access === 'read' ? TelegramErrors.chatNotFound() : forbidden("bot can't send messages to bots");
    }
    const user = store.users.get(chatId);
    if (!user) throw TelegramErrors.chatNotFound();
    const conversation = store.findPrivateConversation(bot.id, user.id);
    if (!conversation?.started) {
      if (access === 'read' && sharesGroup(store, bot, user)) {
        return { conversation: store.privateConversation(bot.id, user.id), chat: privateChat(user), user };
      }
      throw access === 'write' ? TelegramErrors.cantInitiateConversation() : TelegramErrors.chatNotFound();
    }
    if (access === 'write' && conversation.blocked) throw TelegramErrors.botBlocked();
    return { conversation, chat: privateChat(user), user };
  }

  const group = store.groups.get(chatId);
  if (!group) throw TelegramErrors.chatNotFound();
  if (!group.bots.has(bot.id)) {
    throw access === 'write' ? TelegramErrors.notAGroupMember(group.type) : TelegramErrors.chatNotFound();
  }
  return { conversation: store.groupConversation(group), chat: groupChat(group), group };
}

function parseChatId(store: SandboxStore, text: string): number | undefined {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) {
    const id = Number(trimmed);
    return Number.isSafeInteger(id) && id !== 0 ? id : undefined;
  }
  if (trimmed.startsWith('@')) {
    const username = trimmed.slice(1).toLowerCase();
    return [...store.groups.values()].find((group) => group.username?.toLowerCase() === username)?.id;
  }
  return undefined;
}

function sharesGroup(store: SandboxStore, bot: BotRecord, user: UserRecord): boolean {
  return [...store.groups.values()].some((group) => group.bots.has(bot.id) && group.members.has(user.id));
}
