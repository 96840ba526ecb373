import { ParkEventError, type BatchConsumerDefinition } from '@botplatform/bus';
import { MessageSendRequestedSchema, int64ToNumber, isEventOf, subjectOf, type DecodedEvent } from '@botplatform/contracts';
import type { EventContext, PostgresEventStore } from '@botplatform/event-store';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Api } from 'grammy';
import { createHash } from 'node:crypto';
import type { UsersClient } from '../users/users.client.js';
import { deliveryStreamId, type OutboundDeliveryEvent } from './outbound-delivery.events.js';
import { OutboundDeliveryLedger, outcomeOfRow, type DeliveryRow, type SendOutcome } from './outbound-delivery.ledger.js';
import { isNeverStarted, sendOutboundMessage, type OutboundButton, type OutboundMessage, type SendRetryPolicy } from './outbound-message.sender.js';
import { TelegramThrottle, type ThrottledBot } from './telegram-throttle.js';

/** The bots this gateway hosts, as the outbound consumer reaches them. */
export interface OutboundTelegram {
  /** grammY `Api` of a hosted bot (with its current token); `undefined` when the bot is not hosted. */
  apiFor(botId: string): Api | undefined;
}

export interface OutboundConsumerDependencies {
  /** The gateway's ORM: the deliveries table and the inbox live in its schema. */
  readonly orm: MikroORM;
  /** The gateway's event store, where each request's outcome is recorded. */
  readonly store: PostgresEventStore;
  readonly telegram: OutboundTelegram;
  /** Told when a user turns out to have blocked the bot (403 in a private chat). */
  readonly users: UsersClient;
  readonly logger?: LoggerService;
  /** Shared with other senders of the gateway, so all of a bot's sends count against one set of limits. */
  readonly throttle?: TelegramThrottle;
  /** Retries of 5xx and network failures (default: 4 rounds, 0.5 s, 2 s, 5 s apart). */
  readonly retry?: SendRetryPolicy;
  /** Chats sent to at once within one run of events (default 16). */
  readonly concurrentChats?: number;
}

/** The durable consumer's name (`<consumer-service>--<purpose>`). */
export const OUTBOUND_CONSUMER = 'gateway--outbound';

interface OutboundRequest extends OutboundMessage {
  readonly event: DecodedEvent<typeof MessageSendRequestedSchema>;
}

/**
 * Sends the messages other services ask for (`notifications.message.send_requested`), once per
 * request id, and records what became of each as `MessageDelivered` / `MessageDeliveryFailed`.
 *
 * At most once, on purpose: a message sent twice (a payment reminder, a broadcast) is worse than one
 * reported as lost. So a request is claimed in its own committed transaction before Telegram is
 * called, and settled in another as soon as Telegram answers; the outcome event then commits with the
 * inbox row. A redelivery finds the claim:
 * - settled, with the event recorded: nothing to do;
 * - settled, without the event (the run was rolled back or the process died right after): the event
 *   is recorded from the row, with no second send;
 * - still 'sending' (the process died between the call and the settle): Telegram may or may not have
 *   the message. It is not sent again: the request fails with OUTCOME_UNKNOWN.
 * 5xx and network failures are retried within the handler; a request that reached Telegram but whose
 * answer was lost on the network could, in that one case, arrive twice.
 *
 * A run of events is handled together: messages to different chats are sent concurrently (the throttle
 * keeps each bot within Telegram's limits), those to one chat one after another, in order.
 */
export function createOutboundConsumer(deps: OutboundConsumerDependencies): BatchConsumerDefinition {
  const ledger = new OutboundDeliveryLedger(deps.orm);
  const logger = deps.logger ?? new Logger('OutboundConsumer');
  const throttle = deps.throttle ?? new TelegramThrottle({ logger });
  // Outcomes of this process's sends, for when the settle itself failed (the database went away).
  const recent = new RecentOutcomes(10_000);

  const deliver = async (request: OutboundRequest): Promise<SendOutcome> => {
    const api = deps.telegram.apiFor(request.botId);
    if (!api) return { kind: 'failed', failure: 'bot_unavailable', description: 'the bot is not hosted by this gateway', attempts: 0 };
    if (!(await ledger.claim(request))) {
      // Another delivery of the same request got there first (two instances, an ack that timed out).
      const row = await ledger.find(request.requestId);
      return (row && outcomeOfRow(row)) ?? outcomeUnknown(row);
    }
    const outcome = await sendOutboundMessage(api, throttle, throttledBot(request.botId, api), request, deps.retry);
    recent.set(request.requestId, outcome);
    try {
      await ledger.settle(request, outcome);
    } catch (error) {
      logger.warn(`outbound ${request.requestId}: could not settle the delivery at once (${describe(error)}); it is recorded with the event`);
    }
    if (outcome.kind === 'failed' && outcome.failure === 'forbidden' && request.chatId > 0 && !isNeverStarted(outcome.description)) {
      await recordBotBlocked(deps.users, logger, request);
    }
    return outcome;
  };

  return {
    name: OUTBOUND_CONSUMER,
    source: 'notifications',
    subjects: [subjectOf(MessageSendRequestedSchema)],
    handleBatch: async (events, { em }) => {
      // Everything is read before anything is sent, so an event that can never succeed is parked with
      // nothing sent for the run it came in.
      const requests = uniqueByRequestId(events.map(toRequest));
      const outcomes = new Map<string, SendOutcome>();
      const toSend: OutboundRequest[] = [];
      for (const request of requests) {
        if ((await deps.store.streamVersion(deliveryStreamId(request.requestId), { em })) > 0) continue;
        const row = await ledger.find(request.requestId, em);
        if (!row) toSend.push(request);
        else outcomes.set(request.requestId, outcomeOfRow(row) ?? recent.get(request.requestId) ?? outcomeUnknown(row));
      }
      await forEachChatInOrder(toSend, deps.concurrentChats ?? 16, async (request) => {
        outcomes.set(request.requestId, await deliver(request));
      });
      const now = new Date();
      for (const request of requests) {
        const outcome = outcomes.get(request.requestId);
        if (!outcome) continue;
        await ledger.settle(request, outcome, em);
        await deps.store.append(deliveryStreamId(request.requestId), 'no_stream', [toEvent(request, outcome, now)], contextOf(request, now), { em });
      }
    },
  };
}

function toRequest(event: DecodedEvent): OutboundRequest {
  if (!isEventOf(event, MessageSendRequestedSchema)) throw new ParkEventError(`unexpected ${event.subject}`);
  const { message } = event;
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
  return {
    event,
    requestId: message.requestId,
    botId: message.botId,
    chatId,
    text: message.text,
    ...(parseMode ? { parseMode } : {}),
    buttons,
    disableNotification: message.disableNotification,
  };
}

function uniqueByRequestId(requests: OutboundRequest[]): OutboundRequest[] {
  const seen = new Set<string>();
  return requests.filter((request) => !seen.has(request.requestId) && Boolean(seen.add(request.requestId)));
}

function outcomeUnknown(row: DeliveryRow | undefined): SendOutcome {
  return {
    kind: 'failed',
    failure: 'outcome_unknown',
    description: 'the gateway stopped while sending; not sent again, so the user never gets it twice',
    attempts: row?.attempts ?? 0,
  };
}

function toEvent(request: OutboundRequest, outcome: SendOutcome, now: Date): OutboundDeliveryEvent {
  const { requestId, botId, chatId } = request;
  if (outcome.kind === 'delivered') {
    return {
      type: 'MessageDelivered',
      data: { requestId, botId, chatId, messageId: outcome.messageId, attempts: outcome.attempts, deliveredAt: now.toISOString() },
    };
  }
  return {
    type: 'MessageDeliveryFailed',
    data: { requestId, botId, chatId, failure: outcome.failure, description: outcome.description, attempts: outcome.attempts, failedAt: now.toISOString() },
  };
}

function contextOf(request: OutboundRequest, now: Date): EventContext {
  const { envelope } = request.event;
  return {
    botId: request.botId,
    correlationId: envelope.correlationId,
    causationId: envelope.eventId,
    actor: { kind: 'service', id: 'gateway' },
    occurredAt: now,
  };
}

async function recordBotBlocked(users: UsersClient, logger: LoggerService, request: OutboundRequest): Promise<void> {
  try {
    await users.recordBotBlocked({ botId: request.botId, telegramUserId: String(request.chatId), blocked: true });
  } catch (error) {
    // The delivery failure is recorded either way; the membership catches up on the next 403 or my_chat_member.
    logger.warn(`outbound ${request.requestId}: could not record that user ${request.chatId} blocked bot ${request.botId}: ${describe(error)}`);
  }
}

/**
 * Runs `work` for every request: one chat's requests one after another in their order, up to
 * `concurrency` chats at once. Waits for everything started, then throws the first error, if any.
 */
async function forEachChatInOrder(requests: readonly OutboundRequest[], concurrency: number, work: (request: OutboundRequest) => Promise<void>): Promise<void> {
  const chats = new Map<string, OutboundRequest[]>();
  for (const request of requests) {
    const key = `${request.botId}:${request.chatId}`;
    const queue = chats.get(key);
    if (queue) queue.push(request);
    else chats.set(key, [request]);
  }
  const queues = [...chats.values()];
  const errors: unknown[] = [];
  const worker = async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      try {
        for (const request of queue) await work(request);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queues.length)) }, worker));
  if (errors.length) throw errors[0];
}

const fingerprints = new WeakMap<Api, string>();

/** The throttle's key for a bot: a new token (a rotation) gets fresh limits, as it does at Telegram. */
function throttledBot(botId: string, api: Api): ThrottledBot {
  let fingerprint = fingerprints.get(api);
  if (!fingerprint) {
    fingerprint = createHash('sha256').update(api.token).digest('hex').slice(0, 16);
    fingerprints.set(api, fingerprint);
  }
  return { botId, tokenVersion: fingerprint };
}

class RecentOutcomes {
  private readonly outcomes = new Map<string, SendOutcome>();

  constructor(private readonly capacity: number) {}

  get(requestId: string): SendOutcome | undefined {
    return this.outcomes.get(requestId);
  }

  set(requestId: string, outcome: SendOutcome): void {
    this.outcomes.set(requestId, outcome);
    if (this.outcomes.size > this.capacity) this.outcomes.delete(this.outcomes.keys().next().value!);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
