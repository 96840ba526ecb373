import type { Message, Update } from 'grammy/types';
import type { SandboxClock } from '../clock/sandbox-clock.js';
import { withoutNestedReply, type MessageContent } from '../bot-api/bot-message.sender.js';
import type { BotRecord, ConversationRecord, StoredMessage, UserRecord } from '../state/sandbox-records.js';
import type { SandboxStore } from '../state/sandbox-store.js';
import { copyWireObject, groupChat, privateChat, userObject } from '../state/wire-objects.js';

/**
 * Stores a message a user sends (text, payments, refunds) and turns it into `message` updates
 * for the bots that would receive it, honouring group privacy mode.
 */
export class IncomingMessageDelivery {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
  ) {}

  deliver(conversation: ConversationRecord, user: UserRecord, content: MessageContent, replyTo?: StoredMessage): StoredMessage {
    const chat = conversation.kind === 'private' ? privateChat(user) : groupChat(this.store.requireGroup(conversation.chatId));
    const stored = this.store.appendMessage(
      conversation,
      { kind: 'user', userId: user.id },
      (messageId) =>
        ({
          message_id: messageId,
          from: userObject(user),
          chat,
          date: this.clock.unixTime(),
          ...(replyTo ? { reply_to_message: withoutNestedReply(replyTo.message) } : {}),
          ...content,
        }) as Message,
    );
    for (const bot of this.recipients(conversation, stored.message)) {
      // Messages from users are never channel posts, which is what the narrower update type says.
      bot.updates.push({ message: copyWireObject(stored.message) as Update['message'] });
    }
    return stored;
  }

  private recipients(conversation: ConversationRecord, message: Message): BotRecord[] {
    if (conversation.kind === 'private') {
      return conversation.botId === undefined ? [] : [this.store.requireBot(conversation.botId)];
    }
    const group = this.store.requireGroup(conversation.chatId);
    return [...group.bots.entries()]
      .map(([botId, status]) => ({ bot: this.store.requireBot(botId), status }))
      .filter(({ bot, status }) => status === 'administrator' || bot.canReadAllGroupMessages || seesInPrivacyMode(bot, message))
      .map(({ bot }) => bot);
  }
}

/** Privacy mode: commands, replies to the bot, mentions of the bot, and service messages. */
function seesInPrivacyMode(bot: BotRecord, message: Message): boolean {
  if (message.text === undefined) return true;
  if (message.text.startsWith('/')) return true;
  if (message.reply_to_message?.from?.id === bot.id) return true;
  return message.text.toLowerCase().includes(`@${bot.username.toLowerCase()}`);
}
