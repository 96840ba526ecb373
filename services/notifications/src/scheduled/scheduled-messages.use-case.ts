import type { ScheduledMessageViewJson } from '@botplatform/contracts';
import { cancelTimer } from '@botplatform/scheduler';
import { Injectable } from '@nestjs/common';
import type { ParseMode } from '../outbound/outbound-message.decider.js';
import { adminContext, ScheduledMessageCommands } from './scheduled-message-commands.js';
import { SCHEDULED_MESSAGE_TIMER, scheduledMessageStreamId, type ScheduledAudience } from './scheduled-message.decider.js';
import { scheduledMessageViews } from './scheduled-message.view.js';
import type { CancelScheduledMessageDto, ListScheduledMessagesDto, ScheduleMessageDto } from './schedule-message.dto.js';
import { InvalidScheduleError, ScheduledMessageNotFoundError } from './scheduled.errors.js';

/** How far ahead a message may be scheduled. */
const MAX_AHEAD_MS = 366 * 86_400_000;

/**
 * An admin's scheduled messages: schedule (the event, its timer and its row in one transaction), cancel
 * until sent, list. The sending is `SendScheduledMessageTimer`'s.
 */
@Injectable()
export class ScheduledMessagesUseCase {
  constructor(private readonly commands: ScheduledMessageCommands) {}

  async schedule(request: ScheduleMessageDto, now = new Date()): Promise<{ message: ScheduledMessageViewJson; created: boolean }> {
    const sendAt = new Date(request.sendAt);
    if (sendAt.getTime() < now.getTime()) throw new InvalidScheduleError(`send_at ${request.sendAt} is in the past`);
    if (sendAt.getTime() > now.getTime() + MAX_AHEAD_MS) throw new InvalidScheduleError(`send_at ${request.sendAt} is more than a year ahead`);
    const result = await this.commands.handler.handle(
      scheduledMessageStreamId(request.requestId),
      {
        type: 'ScheduleMessage',
        scheduledMessageId: request.requestId,
        botId: request.botId,
        text: request.text,
        ...(request.parseMode ? { parseMode: request.parseMode as ParseMode } : {}),
        audience: audienceOf(request),
        sendAt: sendAt.toISOString(),
        scheduledBy: request.scheduledBy,
        now: now.toISOString(),
      },
      adminContext(request.botId, request.scheduledBy, now),
    );
    const [message] = await this.views(request.botId, request.requestId);
    // The id is another bot's message: say nothing of it.
    if (!message) throw new ScheduledMessageNotFoundError(request.requestId);
    return { message, created: result.newEvents.length > 0 };
  }

  /** The timer first, then the event: the worker firing it holds the timer, so the two never wait on each other. */
  async cancel(request: CancelScheduledMessageDto, now = new Date()): Promise<ScheduledMessageViewJson> {
    const [known] = await this.views(request.botId, request.scheduledMessageId);
    if (!known) throw new ScheduledMessageNotFoundError(request.scheduledMessageId);
    await this.commands.store.transaction(async (em) => {
      await cancelTimer(em, SCHEDULED_MESSAGE_TIMER, request.scheduledMessageId);
      await this.commands.handler.handle(
        scheduledMessageStreamId(request.scheduledMessageId),
        { type: 'CancelScheduledMessage', scheduledMessageId: request.scheduledMessageId, cancelledBy: request.cancelledBy, now: now.toISOString() },
        adminContext(request.botId, request.cancelledBy, now),
        { em },
      );
    });
    const [message] = await this.views(request.botId, request.scheduledMessageId);
    return message;
  }

  list(request: ListScheduledMessagesDto): Promise<ScheduledMessageViewJson[]> {
    return this.commands.store.transaction((em) => scheduledMessageViews(em, request.botId, request.status ? { status: request.status } : {}));
  }

  private views(botId: string, id: string): Promise<ScheduledMessageViewJson[]> {
    return this.commands.store.transaction((em) => scheduledMessageViews(em, botId, { id }));
  }
}

function audienceOf(request: ScheduleMessageDto): ScheduledAudience {
  const { telegramUserId, members } = request.audience;
  if (telegramUserId !== undefined) {
    const id = Number(telegramUserId);
    if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidScheduleError(`not a member's Telegram id: ${telegramUserId}`);
    return { kind: 'member', telegramUserId: id };
  }
  return {
    kind: 'members',
    ...(members?.language ? { language: members.language.toLowerCase() } : {}),
    ...(members?.plan ? { plan: members.plan as 'premium' | 'trial' | 'free' } : {}),
  };
}
