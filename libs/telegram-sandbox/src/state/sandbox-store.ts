import type { BotCommand, Message } from 'grammy/types';
import { SandboxUsageError } from '../errors/sandbox-usage.error.js';
import { UpdateQueue, type UpdateQueueSnapshot } from '../updates/update-queue.js';
import type { ConversationEvent, ConversationListener } from './sandbox-events.js';
import type {
  BotRecord,
  ConversationRecord,
  GroupMemberStatus,
  GroupRecord,
  MessageAuthor,
  StoredMessage,
  TimelineEntry,
  UserRecord,
} from './sandbox-records.js';
import { copyWireObject } from './wire-objects.js';

/** Only the last calls per bot are kept, so a long-running CLI sandbox does not grow without bound. */
const API_CALL_HISTORY = 2000;
/** Snapshots kept per conversation for the `waitFor*` helpers; older ones are dropped. */
const TIMELINE_HISTORY = 5000;

/** Input for a new bot; the id is the number in front of the token's colon, as in real tokens. */
export interface NewBotRecord {
  token: string;
  username: string;
  firstName: string;
  canJoinGroups?: boolean;
  canReadAllGroupMessages?: boolean;
  supportsInlineQueries?: boolean;
}

type ProfileTextKind = 'name' | 'description' | 'short_description';

/**
 * The store as the state file keeps it: maps as entry lists, every counter, and each bot's unconfirmed
 * updates. Left out: the API call history and the `waitFor*` timelines (they serve a running test).
 */
export interface StoreSnapshot {
  bots: Array<
    Omit<BotRecord, 'commands' | 'profileTexts' | 'updates' | 'apiCalls'> & {
      commands: Array<[string, BotCommand[]]>;
      profileTexts: Array<[ProfileTextKind, Array<[string, string]>]>;
      updates: UpdateQueueSnapshot;
    }
  >;
  users: UserRecord[];
  groups: Array<
    Omit<GroupRecord, 'members' | 'bots'> & { members: Array<[number, GroupMemberStatus]>; bots: Array<[number, Exclude<GroupMemberStatus, 'creator'>]> }
  >;
  conversations: Array<Omit<ConversationRecord, 'messages' | 'timeline'> & { messages: StoredMessage[] }>;
  nextUserId: number;
  nextGroupSeq: number;
  nextBotSeq: number;
  messageSeq: number;
}

/**
 * The in-memory world: bots, users, groups and every conversation's messages. It stores and
 * announces; it does not validate Bot API arguments (the method handlers do that).
 */
export class SandboxStore {
  readonly bots = new Map<number, BotRecord>();
  readonly users = new Map<number, UserRecord>();
  readonly groups = new Map<number, GroupRecord>();
  private readonly botsByToken = new Map<string, BotRecord>();
  private readonly conversations = new Map<string, ConversationRecord>();
  private readonly listeners = new Set<ConversationListener>();
  /**
   * Listeners of one conversation: a test or a bench waits on many chats at once (1,000 `waitForMessage`
   * calls across 200 chats), and announcing each message to every chat's waiters made the sandbox's own
   * bookkeeping quadratic in the number of waiting chats.
   */
  private readonly conversationListeners = new Map<string, Set<ConversationListener>>();
  private nextUserId = 100_000_001;
  private nextGroupSeq = 1;
  private nextBotSeq = 1;
  private messageSeq = 0;

  // ---- bots ---------------------------------------------------------------------------------

  addBot(input: NewBotRecord): BotRecord {
    const id = Number(input.token.split(':')[0]);
    if (this.botsByToken.has(input.token) || this.bots.has(id) || this.users.has(id)) {
      throw new SandboxUsageError('SANDBOX.BOT_EXISTS', `A bot with id ${id} already exists`);
    }
    if (this.findBotByUsername(input.username)) {
      throw new SandboxUsageError('SANDBOX.BOT_EXISTS', `A bot @${input.username} already exists`);
    }
    const bot: BotRecord = {
      id,
      token: input.token,
      username: input.username,
      firstName: input.firstName,
      canJoinGroups: input.canJoinGroups ?? true,
      canReadAllGroupMessages: input.canReadAllGroupMessages ?? false,
      supportsInlineQueries: input.supportsInlineQueries ?? false,
      commands: new Map(),
      profileTexts: new Map([
        ['name', new Map()],
        ['description', new Map()],
        ['short_description', new Map()],
      ]),
      // Real update ids are large and not zero-based; starting high catches bots that assume otherwise.
      updates: new UpdateQueue(100_000_000 + this.nextBotSeq++ * 1_000_000),
      apiCalls: [],
    };
    this.bots.set(id, bot);
    this.botsByToken.set(bot.token, bot);
    return bot;
  }

  findBotByToken(token: string): BotRecord | undefined {
    return this.botsByToken.get(token);
  }

  findBotByUsername(username: string): BotRecord | undefined {
    const wanted = username.replace(/^@/, '').toLowerCase();
    return [...this.bots.values()].find((bot) => bot.username.toLowerCase() === wanted);
  }

  requireBot(id: number): BotRecord {
    const bot = this.bots.get(id);
    if (!bot) throw new SandboxUsageError('SANDBOX.BOT_NOT_FOUND', `No bot with id ${id}`);
    return bot;
  }

  recordApiCall(bot: BotRecord, call: BotRecord['apiCalls'][number]): void {
    bot.apiCalls.push(call);
    if (bot.apiCalls.length > API_CALL_HISTORY) bot.apiCalls.splice(0, bot.apiCalls.length - API_CALL_HISTORY);
  }

  // ---- users and groups ---------------------------------------------------------------------

  addUser(input: Omit<UserRecord, 'id'> & { id?: number }): UserRecord {
    const id = input.id ?? this.nextUserId++;
    if (this.users.has(id) || this.bots.has(id)) {
      throw new SandboxUsageError('SANDBOX.INVALID_INPUT', `User id ${id} is already taken`);
    }
    const user: UserRecord = { ...input, id };
    this.users.set(id, user);
    return user;
  }

  requireUser(id: number): UserRecord {
    const user = this.users.get(id);
    if (!user) throw new SandboxUsageError('SANDBOX.USER_NOT_FOUND', `No user with id ${id}`);
    return user;
  }

  addGroup(input: { title: string; type: 'group' | 'supergroup'; username?: string }): GroupRecord {
    const seq = this.nextGroupSeq++;
    // Supergroup ids carry the -100 prefix; basic groups are plain negative numbers.
    const id = input.type === 'supergroup' ? -(1_001_000_000_000 + seq) : -(4_000_000_000 + seq);
    const group: GroupRecord = { id, ...input, members: new Map(), bots: new Map() };
    this.groups.set(id, group);
    return group;
  }

  requireGroup(id: number): GroupRecord {
    const group = this.groups.get(id);
    if (!group) throw new SandboxUsageError('SANDBOX.CHAT_NOT_FOUND', `No group with id ${id}`);
    return group;
  }

  // ---- conversations ------------------------------------------------------------------------

  /** The private conversation between a bot and a user, created on first use. */
  privateConversation(botId: number, userId: number): ConversationRecord {
    return this.conversation(`p:${botId}:${userId}`, () => ({
      chatId: userId,
      kind: 'private',
      botId,
      userId,
    }));
  }

  findPrivateConversation(botId: number, userId: number): ConversationRecord | undefined {
    return this.conversations.get(`p:${botId}:${userId}`);
  }

  groupConversation(group: GroupRecord): ConversationRecord {
    return this.conversation(`g:${group.id}`, () => ({ chatId: group.id, kind: group.type }));
  }

  findConversation(key: string): ConversationRecord | undefined {
    return this.conversations.get(key);
  }

  /** Appends a message with the next message_id of the conversation and announces it. */
  appendMessage(conversation: ConversationRecord, author: MessageAuthor, build: (messageId: number) => Message): StoredMessage {
    const message = build(conversation.nextMessageId++);
    const stored: StoredMessage = { message, author, seq: ++this.messageSeq, deleted: false };
    conversation.messages.set(message.message_id, stored);
    this.recordTimeline(conversation, { kind: 'sent', author, message: copyWireObject(message) });
    this.emit({ type: 'message', conversationKey: conversation.key, message, fromBot: author.kind === 'bot' });
    return stored;
  }

  findMessage(conversation: ConversationRecord, messageId: number): StoredMessage | undefined {
    const stored = conversation.messages.get(messageId);
    return stored && !stored.deleted ? stored : undefined;
  }

  /** Live (not deleted) messages in sending order. */
  liveMessages(conversation: ConversationRecord): StoredMessage[] {
    return [...conversation.messages.values()].filter((stored) => !stored.deleted);
  }

  markEdited(conversation: ConversationRecord, stored: StoredMessage): void {
    this.recordTimeline(conversation, { kind: 'edited', author: stored.author, message: copyWireObject(stored.message) });
    this.emit({
      type: 'edited',
      conversationKey: conversation.key,
      message: stored.message,
      fromBot: stored.author.kind === 'bot',
    });
  }

  markDeleted(conversation: ConversationRecord, stored: StoredMessage): void {
    stored.deleted = true;
    this.emit({ type: 'deleted', conversationKey: conversation.key, messageId: stored.message.message_id });
  }

  // ---- persistence -------------------------------------------------------------------------

  snapshot(): StoreSnapshot {
    return structuredClone({
      bots: [...this.bots.values()].map(({ commands, profileTexts, updates, apiCalls: _apiCalls, ...bot }) => ({
        ...bot,
        commands: [...commands],
        profileTexts: [...profileTexts].map(([kind, texts]): [ProfileTextKind, Array<[string, string]>] => [kind, [...texts]]),
        updates: updates.snapshot(),
      })),
      users: [...this.users.values()],
      groups: [...this.groups.values()].map((group) => ({ ...group, members: [...group.members], bots: [...group.bots] })),
      conversations: [...this.conversations.values()].map(({ messages, timeline: _timeline, ...conversation }) => ({
        ...conversation,
        messages: [...messages.values()],
      })),
      nextUserId: this.nextUserId,
      nextGroupSeq: this.nextGroupSeq,
      nextBotSeq: this.nextBotSeq,
      messageSeq: this.messageSeq,
    });
  }

  /** Fills an empty store from a snapshot; message ids, update ids and other counters continue where they were. */
  restore(snapshot: StoreSnapshot): void {
    for (const { commands, profileTexts, updates, ...saved } of snapshot.bots) {
      const bot: BotRecord = {
        ...saved,
        commands: new Map(commands),
        profileTexts: new Map(profileTexts.map(([kind, texts]) => [kind, new Map(texts)])),
        updates: UpdateQueue.restore(updates),
        apiCalls: [],
      };
      this.bots.set(bot.id, bot);
      this.botsByToken.set(bot.token, bot);
    }
    for (const user of snapshot.users) this.users.set(user.id, user);
    for (const group of snapshot.groups) this.groups.set(group.id, { ...group, members: new Map(group.members), bots: new Map(group.bots) });
    for (const { messages, ...conversation } of snapshot.conversations) {
      this.conversations.set(conversation.key, {
        ...conversation,
        messages: new Map(messages.map((stored) => [stored.message.message_id, stored])),
        timeline: [],
      });
    }
    this.nextUserId = snapshot.nextUserId;
    this.nextGroupSeq = snapshot.nextGroupSeq;
    this.nextBotSeq = snapshot.nextBotSeq;
    this.messageSeq = snapshot.messageSeq;
  }

  // ---- events -------------------------------------------------------------------------------

  /** Every conversation's events. */
  subscribe(listener: ConversationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One conversation's events only. */
  subscribeToConversation(conversationKey: string, listener: ConversationListener): () => void {
    const listeners = this.conversationListeners.get(conversationKey) ?? new Set<ConversationListener>();
    this.conversationListeners.set(conversationKey, listeners);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.conversationListeners.get(conversationKey) === listeners) this.conversationListeners.delete(conversationKey);
    };
  }

  emit(event: ConversationEvent): void {
    const ofConversation = this.conversationListeners.get(event.conversationKey);
    // Copies: a listener may unsubscribe (a waiter resolved) while the others are being told.
    for (const listener of [...this.listeners, ...(ofConversation ?? [])]) {
      try {
        listener(event);
      } catch {
        // A broken listener (a closed SSE stream) must not stop the others or the Bot API call.
      }
    }
  }

  private recordTimeline(conversation: ConversationRecord, entry: TimelineEntry): void {
    conversation.timeline.push(entry);
    if (conversation.timeline.length > TIMELINE_HISTORY) conversation.timeline.splice(0, conversation.timeline.length - TIMELINE_HISTORY);
  }

  private conversation(key: string, init: () => Pick<ConversationRecord, 'chatId' | 'kind' | 'botId' | 'userId'>): ConversationRecord {
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = {
        key,
        ...init(),
        messages: new Map(),
        nextMessageId: 1,
        chatActions: [],
        callbackAnswers: [],
        timeline: [],
        started: false,
        blocked: false,
      };
      this.conversations.set(key, conversation);
    }
    return conversation;
  }
}
