import { ParkEventError, type BatchConsumerDefinition } from '@botplatform/bus';
import { MessageSendRequestedSchema, int64ToNumber, isEventOf, subjectOf, type DecodedEvent } from '@botplatform/contracts';
import type { MikroORM } from '@mikro-orm/postgresql';
import { OutboundDeliveryLedger, type QueuedRequest } from './outbound-delivery.ledger.js';
import type { OutboundButton } from './outbound-message.sender.js';

export interface OutboundConsumerDependencies {
  /** The gateway's ORM: the deliveries table and the inbox live in its schema. */
  readonly orm: MikroORM;
  /** Called once a run's requests are committed (the delivery worker's `wake`). */
  readonly onQueued?: () => void;
}

/** The durable consumer's name (`<consumer-service>--<purpose>`). */
export const OUTBOUND_CONSUMER = 'gateway--outbound';

/**
 * Accepts the messages other services ask for (`notifications.message.send_requested`): each request is
 * queued in the deliveries table, once per request id, in the transaction that records the events in
 * the inbox. Nothing is sent here: Telegram's limits can make a send wait up to a minute, and an open
 * transaction that long would hold back every event relay of the cluster (they read below the oldest
 * running transaction). `OutboundDeliveryWorker` sends the queued rows and records their outcomes.
 */
export function createOutboundConsumer(deps: OutboundConsumerDependencies): BatchConsumerDefinition {
  const ledger = new OutboundDeliveryLedger(deps.orm);
  return {
    name: OUTBOUND_CONSUMER,
    source: 'notifications',
    subjects: [subjectOf(MessageSendRequestedSchema)],
    handleBatch: async (events, { em, afterCommit }) => {
      // Everything is read before anything is queued, so an event that can never succeed is parked
      // with nothing of its run queued (the run is replayed one event at a time).
      const requests = events.map(toRequest);
      await ledger.enqueue(requests, em);
      // The worker looks once the rows are visible.
      if (deps.onQueued) afterCommit(deps.onQueued);
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toRequest(event: DecodedEvent): QueuedRequest {
  if (!isEventOf(event, MessageSendRequestedSchema)) throw new ParkEventError(`unexpected ${event.subject}`);
  const { message } = event;
  if (!UUID.test(message.requestId) || !UUID.test(message.botId)) throw new ParkEventError(`request ${message.requestId}: request and bot ids must be UUIDs`);
  let chatId: number;
  try {
    chatId = int64ToNumber(message.chatId);
  } catch {
    throw new ParkEventError(`request ${message.requestId}: chat id ${message.chatId} is not a Telegram chat id`);
  }
  const parseMode = message.parseMode === 'HTML' || message.parseMode === 'MarkdownV2' ? message.parseMode : undefined;
  if (message.parseMode && !parseMode) throw new ParkEventError(`request ${message.requestId}: unknown parse mode ${message.parseMode}`);
  const buttons = message.buttons.map((row) =>
    row.buttons.map((button): OutboundButton => {
      const { action } = button;
      if (action.case === 'url') return { text: button.text, url: action.value };
      if (action.case === 'callbackData') return { text: button.text, callbackData: action.value };
      throw new ParkEventError(`request ${message.requestId}: a button without an action`);
    }),
  );
  let editMessageId: number | undefined;
  if (message.editMessageId !== undefined) {
    try {
      editMessageId = int64ToNumber(message.editMessageId);
    } catch {
      editMessageId = undefined;
    }
    if (!editMessageId || editMessageId <= 0) throw new ParkEventError(`request ${message.requestId}: ${message.editMessageId} is not a message id`);
    if (message.photo) throw new ParkEventError(`request ${message.requestId}: an edit cannot carry a photo`);
  }
  return {
    correlationId: event.envelope.correlationId,
    causationId: event.envelope.eventId,
    requestId: message.requestId,
    botId: message.botId,
    chatId,
    text: message.text,
    ...(parseMode ? { parseMode } : {}),
    buttons,
    disableNotification: message.disableNotification,
    ...(message.messageThreadId ? { messageThreadId: message.messageThreadId } : {}),
    ...(message.allowPaidBroadcast ? { paidBroadcast: true } : {}),
    ...(message.photo ? { photo: message.photo } : {}),
    ...(editMessageId ? { editMessageId } : {}),
  };
}
