import { correlationIdOrNew } from '@botplatform/bus';
import { CommandHandler, PostgresEventStore, type EventContext } from '@botplatform/event-store';
import { timerProjection } from '@botplatform/scheduler';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  SCHEDULED_MESSAGE_TIMER,
  scheduledMessageDecider,
  type ScheduledMessageCommand,
  type ScheduledMessageEvent,
  type ScheduledMessageState,
} from './scheduled-message.decider.js';
import { scheduledMessagesProjection } from './scheduled-messages.projection.js';

/** What the timer of a scheduled message carries. */
export interface ScheduledMessageTimerPayload {
  readonly botId: string;
  readonly scheduledMessageId: string;
}

/**
 * The scheduled messages' command handler: `MessageScheduled` writes its timer and its read-model row in
 * the append's transaction (ADR 0013), so the timer exists exactly when the event does. A cancel removes
 * the timer itself, before its append (see CancelScheduledMessageUseCase), in the order the worker locks.
 */
@Injectable()
export class ScheduledMessageCommands {
  readonly handler: CommandHandler<ScheduledMessageState, ScheduledMessageCommand, ScheduledMessageEvent>;

  constructor(readonly store: PostgresEventStore) {
    this.handler = new CommandHandler(store, scheduledMessageDecider, {
      projections: [
        timerProjection<ScheduledMessageEvent>('scheduled-message-timers', (event) =>
          event.type === 'MessageScheduled'
            ? {
                schedule: {
                  kind: SCHEDULED_MESSAGE_TIMER,
                  key: event.data.scheduledMessageId,
                  dueAt: new Date(event.data.sendAt),
                  payload: { botId: event.data.botId, scheduledMessageId: event.data.scheduledMessageId } satisfies ScheduledMessageTimerPayload,
                },
              }
            : undefined,
        ),
        scheduledMessagesProjection,
      ],
    });
  }
}

/** The context of an admin's request: `telegram:<id>` or `api:<token id>` as the actor. */
export function adminContext(botId: string, actor: string, now: Date): EventContext {
  return { botId, correlationId: correlationIdOrNew(randomUUID), causationId: null, actor: { kind: 'admin', id: actor }, occurredAt: now };
}
