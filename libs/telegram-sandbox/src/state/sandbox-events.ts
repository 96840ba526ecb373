import type { Message } from 'grammy/types';
import type { CallbackAnswer, ChatActionRecord } from './sandbox-records.js';

/**
 * Something visible happened in a conversation. The web chat streams these over SSE and the
 * `waitFor*` helpers of {@link SandboxChat} listen to them.
 */
export type ConversationEvent =
  | { type: 'message'; conversationKey: string; message: Message; fromBot: boolean }
  | { type: 'edited'; conversationKey: string; message: Message; fromBot: boolean }
  | { type: 'deleted'; conversationKey: string; messageId: number }
  | { type: 'chat_action'; conversationKey: string; action: ChatActionRecord; botId: number }
  | { type: 'callback_answer'; conversationKey: string; answer: CallbackAnswer }
  | { type: 'blocked'; conversationKey: string; blocked: boolean }
  | { type: 'reply_keyboard'; conversationKey: string };

export type ConversationListener = (event: ConversationEvent) => void;
