import { TelegramErrors } from '../../errors/telegram-api.error.js';
import { botUser, chatMember, groupChatFullInfo, privateChatFullInfo, userObject } from '../../state/wire-objects.js';
import type { MethodGroup } from '../bot-api-method.js';
import { resolveChat } from '../chat-access.js';

/** getChat, getChatMember, getChatMemberCount. */
export const chatsMethods: MethodGroup = (core) => ({
  getChat: ({ bot, args }) => {
    const resolved = resolveChat(core.store, bot, args.chatId(), 'read');
    if (resolved.group) return groupChatFullInfo(resolved.group);
    if (resolved.user) return privateChatFullInfo(resolved.user);
    throw TelegramErrors.chatNotFound();
  },

  getChatMember: ({ bot, args }) => {
    const chatIdText = args.chatId();
    const userId = args.userId();
    const resolved = resolveChat(core.store, bot, chatIdText, 'read');
    const member = core.store.users.get(userId);
    const memberBot = core.store.bots.get(userId);
    if (!member && !memberBot) throw TelegramErrors.userNotFound();
    const user = member ? userObject(member) : botUser(memberBot!);

    if (resolved.group) {
      const status = member ? resolved.group.members.get(userId) : resolved.group.bots.get(userId);
      return chatMember(user, status ?? 'left');
    }
    const inThisChat = userId === resolved.user?.id || userId === bot.id;
    return chatMember(user, inThisChat ? 'member' : 'left');
  },

  getChatMemberCount: ({ bot, args }) => {
    const resolved = resolveChat(core.store, bot, args.chatId(), 'read');
    if (resolved.group) return resolved.group.members.size + resolved.group.bots.size;
    return 2;
  },
});
