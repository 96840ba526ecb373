import { DeciderSpecification } from '@botplatform/event-store';
import { scheduledMessageDecider, type MessageScheduled } from './scheduled-message.decider.js';
import { ScheduledMessageAlreadyCancelledError, ScheduledMessageAlreadySentError, ScheduledMessageNotFoundError } from './scheduled.errors.js';

const ID = '0b6f3c1e-6d1a-4f57-9a51-2c8e7d1f0a01';
const BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b01';
const content = {
  scheduledMessageId: ID,
  botId: BOT,
  text: 'Hello',
  audience: { kind: 'member' as const, telegramUserId: 42 },
  sendAt: '2026-12-01T10:00:00.000Z',
  scheduledBy: 'telegram:1',
};
const scheduled: MessageScheduled = { type: 'MessageScheduled', data: { ...content, scheduledAt: '2026-11-30T10:00:00.000Z' } };
const sent = { type: 'ScheduledMessageSent' as const, data: { scheduledMessageId: ID, botId: BOT, recipients: 1, sentAt: '2026-12-01T10:00:01.000Z' } };
const cancelled = {
  type: 'ScheduledMessageCancelled' as const,
  data: { scheduledMessageId: ID, botId: BOT, cancelledBy: 'telegram:1', cancelledAt: '2026-11-30T11:00:00.000Z' },
};

describe('scheduledMessageDecider', () => {
  const spec = DeciderSpecification.for(scheduledMessageDecider);
  const cancel = { type: 'CancelScheduledMessage' as const, scheduledMessageId: ID, cancelledBy: 'telegram:1', now: '2026-11-30T11:00:00.000Z' };
  const send = { type: 'SendScheduledMessage' as const, scheduledMessageId: ID, recipients: 1, now: '2026-12-01T10:00:01.000Z' };

  it('schedules a message once; scheduling the same id again decides nothing', () => {
    spec
      .given([])
      .when({ type: 'ScheduleMessage', ...content, now: '2026-11-30T10:00:00.000Z' })
      .then([scheduled]);
    spec
      .given([scheduled])
      .when({ type: 'ScheduleMessage', ...content, text: 'Other', now: '2026-11-30T10:05:00.000Z' })
      .then([]);
  });

  it('sends a scheduled message once, and never a cancelled one', () => {
    spec.given([scheduled]).when(send).then([sent]);
    spec.given([scheduled, sent]).when(send).then([]);
    spec.given([scheduled, cancelled]).when(send).then([]);
  });

  it('cancels until sent, and refuses an unknown, a sent or a cancelled message', () => {
    spec.given([scheduled]).when(cancel).then([cancelled]);
    spec.given([]).when(cancel).thenThrows(ScheduledMessageNotFoundError);
    spec.given([scheduled, sent]).when(cancel).thenThrows(ScheduledMessageAlreadySentError);
    spec.given([scheduled, cancelled]).when(cancel).thenThrows(ScheduledMessageAlreadyCancelledError);
  });
});
