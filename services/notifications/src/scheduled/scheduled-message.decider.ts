import type { Decider, DomainEvent } from '@botplatform/event-store';
import type { ParseMode } from '../outbound/outbound-message.decider.js';
import { ScheduledMessageAlreadyCancelledError, ScheduledMessageAlreadySentError, ScheduledMessageNotFoundError } from './scheduled.errors.js';

/** One member, or the bot's members matching every filter given (none: all of them). */
export type ScheduledAudience =
  | { readonly kind: 'member'; readonly telegramUserId: number }
  | { readonly kind: 'members'; readonly language?: string; readonly plan?: 'premium' | 'trial' | 'free' };

export interface ScheduledMessageContent {
  readonly scheduledMessageId: string;
  readonly botId: string;
  readonly text: string;
  readonly parseMode?: ParseMode;
  readonly audience: ScheduledAudience;
  /** ISO time it is to be sent at. */
  readonly sendAt: string;
  readonly scheduledBy: string;
}

export interface ScheduleMessage extends ScheduledMessageContent {
  readonly type: 'ScheduleMessage';
  readonly now: string;
}

export interface CancelScheduledMessage {
  readonly type: 'CancelScheduledMessage';
  readonly scheduledMessageId: string;
  readonly cancelledBy: string;
  readonly now: string;
}

/** The timer fired: the message goes to the members the audience has now. */
export interface SendScheduledMessage {
  readonly type: 'SendScheduledMessage';
  readonly scheduledMessageId: string;
  readonly recipients: number;
  readonly now: string;
}

export type ScheduledMessageCommand = ScheduleMessage | CancelScheduledMessage | SendScheduledMessage;

export type MessageScheduled = DomainEvent<'MessageScheduled', ScheduledMessageContent & { scheduledAt: string }>;
export type ScheduledMessageCancelled = DomainEvent<
  'ScheduledMessageCancelled',
  { scheduledMessageId: string; botId: string; cancelledBy: string; cancelledAt: string }
>;
export type ScheduledMessageSent = DomainEvent<'ScheduledMessageSent', { scheduledMessageId: string; botId: string; recipients: number; sentAt: string }>;

export type ScheduledMessageEvent = MessageScheduled | ScheduledMessageCancelled | ScheduledMessageSent;

export type ScheduledMessageState =
  | { readonly status: 'none' }
  | { readonly status: 'scheduled' | 'sent' | 'cancelled'; readonly message: ScheduledMessageContent };

/**
 * A message an admin scheduled: scheduled → sent, or → cancelled until it is sent. Scheduling the same
 * id again is not an error (a retried call) and decides nothing; a timer that fires twice sends once.
 */
export const scheduledMessageDecider: Decider<ScheduledMessageState, ScheduledMessageCommand, ScheduledMessageEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'MessageScheduled': {
        const { scheduledAt: _scheduledAt, ...message } = event.data;
        return { status: 'scheduled', message };
      }
      case 'ScheduledMessageCancelled':
        return state.status === 'none' ? state : { status: 'cancelled', message: state.message };
      case 'ScheduledMessageSent':
        return state.status === 'none' ? state : { status: 'sent', message: state.message };
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'ScheduleMessage': {
        if (state.status !== 'none') return [];
        const { type: _type, now, ...content } = command;
        return [{ type: 'MessageScheduled', data: { ...content, scheduledAt: now } }];
      }
      case 'CancelScheduledMessage': {
        if (state.status === 'none') throw new ScheduledMessageNotFoundError(command.scheduledMessageId);
        if (state.status === 'sent') throw new ScheduledMessageAlreadySentError(command.scheduledMessageId);
        if (state.status === 'cancelled') throw new ScheduledMessageAlreadyCancelledError(command.scheduledMessageId);
        return [
          {
            type: 'ScheduledMessageCancelled',
            data: { scheduledMessageId: command.scheduledMessageId, botId: state.message.botId, cancelledBy: command.cancelledBy, cancelledAt: command.now },
          },
        ];
      }
      case 'SendScheduledMessage': {
        if (state.status !== 'scheduled') return [];
        return [
          {
            type: 'ScheduledMessageSent',
            data: { scheduledMessageId: command.scheduledMessageId, botId: state.message.botId, recipients: command.recipients, sentAt: command.now },
          },
        ];
      }
    }
  },
};

export const scheduledMessageStreamId = (scheduledMessageId: string): string => `scheduled-message-${scheduledMessageId}`;

/** The timer that sends it. */
export const SCHEDULED_MESSAGE_TIMER = 'notifications.scheduled-message';
