import type { Decider, DomainEvent } from '@botplatform/event-store';

/** Telegram's two rich-text modes; plain text when absent. */
export type ParseMode = 'HTML' | 'MarkdownV2';

/** An inline keyboard button: exactly one of `callbackData` and `url`. */
export interface OutboundButton {
  readonly text: string;
  readonly callbackData?: string;
  readonly url?: string;
}

export interface RequestMessageSend {
  readonly type: 'RequestMessageSend';
  /** The caller's idempotency key (a UUID): one request id, one message. */
  readonly requestId: string;
  readonly botId: string;
  /** Telegram chat id: a user's id, or a negative group id. */
  readonly chatId: number;
  readonly text: string;
  readonly parseMode?: ParseMode;
  /** Rows of inline buttons, top to bottom; empty for none. */
  readonly buttons: readonly (readonly OutboundButton[])[];
  readonly disableNotification: boolean;
  /** The forum topic of the chat (Telegram's `message_thread_id`), e.g. a bot's admin topic. */
  readonly messageThreadId?: number;
  /** Who asks and why, e.g. `subscriptions:expiry-reminder`. */
  readonly purpose: string;
  /** ISO time of the command. */
  readonly now: string;
}

export type OutboundMessageCommand = RequestMessageSend;

export type MessageSendRequested = DomainEvent<
  'MessageSendRequested',
  {
    requestId: string;
    botId: string;
    chatId: number;
    text: string;
    parseMode?: ParseMode;
    buttons: OutboundButton[][];
    disableNotification: boolean;
    messageThreadId?: number;
    /** A paid broadcast message (`allow_paid_broadcast`): the bot's paid lane, 0.1 Star each. */
    allowPaidBroadcast?: boolean;
    /** A photo (file id or URL) with `text` as its caption. */
    photo?: string;
    /** Edit this message of the bot in the chat instead of sending one (a broadcast's progress). */
    editMessageId?: number;
    purpose: string;
    requestedAt: string;
  }
>;

export type OutboundMessageEvent = MessageSendRequested;

export type OutboundMessageState = { readonly status: 'none' } | { readonly status: 'requested'; readonly requestedAt: string };

/**
 * One outbound message, keyed by the caller's request id. Asking again with the same id is not an
 * error: callers retry after a timeout without knowing whether the first call got through, and only
 * the first request becomes a message.
 */
export const outboundMessageDecider: Decider<OutboundMessageState, OutboundMessageCommand, OutboundMessageEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (_state, event) => {
    switch (event.type) {
      case 'MessageSendRequested':
        return { status: 'requested', requestedAt: event.data.requestedAt };
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'RequestMessageSend': {
        if (state.status === 'requested') return [];
        return [
          {
            type: 'MessageSendRequested',
            data: {
              requestId: command.requestId,
              botId: command.botId,
              chatId: command.chatId,
              text: command.text,
              ...(command.parseMode ? { parseMode: command.parseMode } : {}),
              buttons: command.buttons.map((row) => row.map((button) => ({ ...button }))),
              disableNotification: command.disableNotification,
              ...(command.messageThreadId ? { messageThreadId: command.messageThreadId } : {}),
              purpose: command.purpose,
              requestedAt: command.now,
            },
          },
        ];
      }
    }
  },
};

/** The stream of one outbound request. */
export const outboundStreamId = (requestId: string): string => `outbound-${requestId}`;
