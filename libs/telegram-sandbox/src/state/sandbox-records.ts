import type { BotCommand, Message, ReplyKeyboardMarkup } from 'grammy/types';
import type { UpdateQueue } from '../updates/update-queue.js';

/** A bot hosted by the sandbox, as the sandbox keeps it. */
export interface BotRecord {
  id: number;
  token: string;
  username: string;
  firstName: string;
  canJoinGroups: boolean;
  canReadAllGroupMessages: boolean;
  supportsInlineQueries: boolean;
  /** Commands per `scopeKey|language_code`. */
  commands: Map<string, BotCommand[]>;
  /** setMyName / setMyDescription / setMyShortDescription values per language code ('' = default). */
  profileTexts: Map<'name' | 'description' | 'short_description', Map<string, string>>;
  updates: UpdateQueue;
  apiCalls: ApiCallRecord[];
}

/** One Bot API request a bot made, kept so tests can count polls or inspect arguments. */
export interface ApiCallRecord {
  method: string;
  /** Real (not simulated) time the request arrived, ms since the epoch. */
  at: number;
  params: Readonly<Record<string, string>>;
  /** `error_code` when the call failed. */
  errorCode?: number;
}

/** A simulated Telegram user. `starBalance` undefined means the user can pay anything. */
export interface UserRecord {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
  isPremium?: boolean;
  starBalance?: number;
}

export type GroupMemberStatus = 'creator' | 'administrator' | 'member';

/** A simulated group or supergroup with its human and bot members. */
export interface GroupRecord {
  id: number;
  title: string;
  type: 'group' | 'supergroup';
  username?: string;
  members: Map<number, GroupMemberStatus>;
  bots: Map<number, Exclude<GroupMemberStatus, 'creator'>>;
}

/** Who put a message into a conversation. */
export type MessageAuthor = { kind: 'bot'; botId: number } | { kind: 'user'; userId: number };

/** A message as stored: the wire object (mutated in place by edits) plus bookkeeping. */
export interface StoredMessage {
  message: Message;
  author: MessageAuthor;
  /** Global insertion order, used to find "messages after X" across edits. */
  seq: number;
  deleted: boolean;
}

/** The answer a bot gave to a callback query (answerCallbackQuery), recorded for tests and the web chat. */
export interface CallbackAnswer {
  callbackQueryId: string;
  messageId?: number;
  data?: string;
  text?: string;
  showAlert: boolean;
  url?: string;
  cacheTime: number;
}

/** A chat action (typing…) a bot announced, with the simulated time it was sent. */
export interface ChatActionRecord {
  action: string;
  date: number;
}

/**
 * One conversation's message history. Private chats have one conversation per bot (each bot sees
 * its own dialogue with the user under the user's id); a group has one conversation shared by its bots.
 */
export interface ConversationRecord {
  key: string;
  chatId: number;
  kind: 'private' | 'group' | 'supergroup';
  /** The bot of a private conversation. */
  botId?: number;
  /** The user of a private conversation. */
  userId?: number;
  messages: Map<number, StoredMessage>;
  nextMessageId: number;
  /** Reply keyboard the user currently sees (private chats), per bot in groups. */
  replyKeyboard?: ReplyKeyboardMarkup;
  chatActions: ChatActionRecord[];
  callbackAnswers: CallbackAnswer[];
  /** Snapshots of every sent and edited message, in order, for the `waitFor*` helpers. */
  timeline: TimelineEntry[];
  /** The user has talked to the bot at least once, so the bot may write to them. */
  started: boolean;
  blocked: boolean;
}

/** A message as it looked when it was sent or edited. */
export interface TimelineEntry {
  kind: 'sent' | 'edited';
  author: MessageAuthor;
  message: Message;
}
