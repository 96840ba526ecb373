import { CommandHandler, foldEvents, runSql } from '@botplatform/event-store';
import { ParkTimerError, type DueTimer, type TimerContext, type TimerHandler } from '@botplatform/scheduler';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import {
  outboundMessageDecider,
  outboundStreamId,
  type OutboundMessageCommand,
  type OutboundMessageEvent,
  type OutboundMessageState,
} from '../outbound/outbound-message.decider.js';
import { ScheduledMessageCommands, type ScheduledMessageTimerPayload } from './scheduled-message-commands.js';
import {
  SCHEDULED_MESSAGE_TIMER,
  scheduledMessageDecider,
  scheduledMessageStreamId,
  type ScheduledAudience,
  type ScheduledMessageEvent,
} from './scheduled-message.decider.js';

/**
 * A scheduled message's time came: in the timer's transaction, `ScheduledMessageSent` is recorded and one
 * outbound message per member of the audience is requested (the send-message command, which the gateway
 * delivers at Telegram's pace), each with a request id derived from the scheduled message and the member.
 * The timer fires once across replicas (ADR 0013); a timer fired again, or one whose commit was lost and
 * is retried, finds the message sent, or asks for the same request ids, which the outbound streams refuse.
 * A cancelled message has no timer left; should one fire anyway, the decider sends nothing.
 */
@Injectable()
export class SendScheduledMessageTimer implements TimerHandler<ScheduledMessageTimerPayload> {
  readonly kind = SCHEDULED_MESSAGE_TIMER;
  private readonly outbound: CommandHandler<OutboundMessageState, OutboundMessageCommand, OutboundMessageEvent>;

  constructor(private readonly commands: ScheduledMessageCommands) {
    this.outbound = new CommandHandler(commands.store, outboundMessageDecider);
  }

  async handle(timer: DueTimer<ScheduledMessageTimerPayload>, { em }: TimerContext): Promise<void> {
    const { scheduledMessageId, botId } = timer.payload ?? {};
    if (typeof scheduledMessageId !== 'string' || typeof botId !== 'string') throw new ParkTimerError(`scheduled message timer ${timer.key} without its id`);
    const streamId = scheduledMessageStreamId(scheduledMessageId);
    const stream = await this.commands.store.readStream<ScheduledMessageEvent>(streamId, { em });
    const state = foldEvents(scheduledMessageDecider, stream.events);
    if (state.status !== 'scheduled') return;
    const { message } = state;
    const now = new Date();
    const members = await audienceMembers(em, message.botId, message.audience, now);
    const { newEvents } = await this.commands.handler.handle(
      streamId,
      { type: 'SendScheduledMessage', scheduledMessageId, recipients: members.length, now: now.toISOString() },
      { botId, correlationId: scheduledMessageId, causationId: null, actor: { kind: 'system', id: `timer:${SCHEDULED_MESSAGE_TIMER}` }, occurredAt: now },
      { em },
    );
    const [sent] = newEvents;
    if (!sent) return;
    for (const telegramUserId of members) {
      const requestId = scheduledRequestId(scheduledMessageId, telegramUserId);
      await this.outbound.handle(
        outboundStreamId(requestId),
        {
          type: 'RequestMessageSend',
          requestId,
          botId: message.botId,
          chatId: telegramUserId,
          text: message.text,
          ...(message.parseMode ? { parseMode: message.parseMode } : {}),
          buttons: [],
          disableNotification: false,
          purpose: 'notifications:scheduled-message',
          now: now.toISOString(),
        },
        { botId, correlationId: scheduledMessageId, causationId: sent.metadata.eventId, actor: { kind: 'service', id: 'notifications' }, occurredAt: now },
        { em },
      );
    }
  }
}

/**
 * The members the audience has now, from the service's own projection: reachable ones only (not blocked
 * by an admin, not having blocked the bot).
 */
export async function audienceMembers(em: EntityManager, botId: string, audience: ScheduledAudience, now: Date): Promise<number[]> {
  const reachable = "status = 'active' AND NOT blocked_bot";
  const rows =
    audience.kind === 'member'
      ? await runSql<{ telegram_user_id: string }>(
          em,
          `SELECT telegram_user_id::text FROM notifications.notification_recipients WHERE bot_id = $1 AND telegram_user_id = $2 AND ${reachable}`,
          [botId, audience.telegramUserId],
        )
      : await runSql<{ telegram_user_id: string }>(
          em,
          `SELECT telegram_user_id::text FROM notifications.notification_recipients
            WHERE bot_id = $1 AND ${reachable}
              AND ($2::text IS NULL OR lower(split_part(COALESCE(language_override, language_code, ''), '-', 1)) = $2)
              AND CASE $3::text
                    WHEN 'premium' THEN plan_id IS NOT NULL AND NOT COALESCE(plan_trial, false) AND plan_ends_at > $4
                    WHEN 'trial' THEN plan_id IS NOT NULL AND COALESCE(plan_trial, false) AND plan_ends_at > $4
                    WHEN 'free' THEN NOT (plan_id IS NOT NULL AND plan_ends_at > $4)
                    ELSE true
                  END
            ORDER BY telegram_user_id`,
          [botId, audience.language?.split('-')[0] ?? null, audience.plan ?? null, now],
        );
  return rows.map((row) => Number(row.telegram_user_id));
}

/** The request id of a scheduled message's copy for one member (UUID, version 5 layout): the same on every retry. */
export function scheduledRequestId(scheduledMessageId: string, telegramUserId: number): string {
  const hash = createHash('sha1').update(`notifications-scheduled:${scheduledMessageId}:${telegramUserId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
