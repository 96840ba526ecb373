import type { BatchConsumerDefinition } from '@botplatform/bus';
import type { EventContext, PostgresEventStore } from '@botplatform/event-store';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Api } from 'grammy';
import { createHash } from 'node:crypto';
import type { UsersClient } from '../users/users.client.js';
import { createOutboundConsumer } from './on-message-send-requested.consumer.js';
import { deliveryStreamId, type OutboundDeliveryEvent } from './outbound-delivery.events.js';
import { OutboundDeliveryLedger, detachedEntityManager, type DeliveryRow, type SendOutcome } from './outbound-delivery.ledger.js';
import { isNeverStarted, sendOutboundMessage, type SendRetryPolicy } from './outbound-message.sender.js';
import { TelegramThrottle, type ThrottledBot } from './telegram-throttle.js';

/** The bots this gateway hosts, as outbound sending reaches them (a `BotHost`). */
export interface OutboundTelegram {
  /** grammY `Api` of a hosted bot (with its current token); `undefined` when the bot is not hosted. */
  apiFor(botId: string): Api | undefined;
  /** Resolves once the hosted bots have started; the worker sends nothing before. */
  ready?(): Promise<void>;
}

export interface OutboundDeliveryWorkerOptions {
  /** The gateway's ORM: the deliveries table lives in its schema. */
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
  /**
   * Chats sent to at once; one message in flight per chat (default 1024: a paid broadcast at 1000/s keeps
   * each chat's message in flight from its claim through its mark, the Bot API call and its recorded
   * outcome, 0.3–0.5 s on a busy machine, and needs that many on their way; at 256 the worker was the
   * bottleneck, every slot taken while its queue grew, and a 100,000 paid broadcast kept ~800/s of 950).
   */
  readonly concurrentChats?: number;
  /** Look for queued requests this often besides the consumer's wake-ups (default 500 ms). */
  readonly pollIntervalMs?: number;
  /**
   * How long a request waits for its bot to be hosted before it fails BOT_UNAVAILABLE (default 30 s):
   * a bot just registered, or restarting with a new token, is briefly not hosted.
   */
  readonly unhostedGraceMs?: number;
  /** Pauses between attempts to record an outcome the database refused (default 0.2 s, 1 s, 5 s). */
  readonly recordBackoffMs?: readonly number[];
}

interface Flight {
  readonly row: DeliveryRow;
  /**
   * 'waiting' for its slot in the throttle, the row still 'queued'; 'leaving' while the row is marked
   * 'sending'; 'left' once marked: Telegram is called (at least once) and the outcome must be recorded.
   */
  stage: 'waiting' | 'leaving' | 'left';
  task?: Promise<void>;
}

/** See `OutboundDeliveryWorkerOptions.concurrentChats`. */
export const DEFAULT_CONCURRENT_CHATS = 1024;

/** Why a request did not leave: it stays 'queued', and is sent by a later look or after a restart. */
class NotSentError extends Error {}

/**
 * Sends the queued outbound requests, outside any transaction, so a send waiting on Telegram's limits
 * (up to a minute for a group) holds no transaction open: an open one would hold back every event
 * relay of the cluster.
 *
 * The head of a chat's queue is claimed in this process's memory and waits for its slot in the
 * throttle still 'queued'; it is marked 'sending' (one short committed statement) only as its request
 * leaves for Telegram, then settled with its outcome event in one transaction. A chat with a message
 * claimed is passed over, so a chat's messages go out in the order they were queued, one at a time,
 * while up to `concurrentChats` chats are served at once. A row found 'sending' when the worker starts
 * had left when its process died: Telegram may or may not have it, so it is not sent again but fails
 * OUTCOME_UNKNOWN; a row that was still waiting is simply sent. The worker assumes one gateway process
 * works on a database at a time: its claims live in its memory, and at start it takes every row found
 * 'sending' for one a dead process left.
 *
 * Its transactions start from the ORM's global entity manager, whoever wakes it: see
 * `detachedEntityManager`.
 */
export class OutboundDeliveryWorker {
  private readonly ledger: OutboundDeliveryLedger;
  private readonly logger: LoggerService;
  private readonly throttle: TelegramThrottle;
  private readonly concurrency: number;
  private readonly unhostedGraceMs: number;
  private readonly recordBackoffMs: readonly number[];
  private readonly flights = new Map<string, Flight>();
  /** Bots found not hosted, and since when. */
  private readonly unhosted = new Map<string, number>();
  private state: 'new' | 'running' | 'stopped' = 'new';
  private starting: Promise<void> | undefined;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private failingSince: number | undefined;
  /** Marks asked for and not yet sent to the database: one statement marks all that gathered meanwhile. */
  private marks: { requestId: string; done: (marked: boolean) => void; failed: (error: unknown) => void }[] = [];
  private marking: Promise<void> | undefined;
  /** Outcomes to record: one transaction records all that gathered while the previous one ran. */
  private records: { row: DeliveryRow; outcome: SendOutcome; done: () => void; failed: (error: unknown) => void }[] = [];
  private recording: Promise<void> | undefined;

  constructor(private readonly options: OutboundDeliveryWorkerOptions) {
    this.ledger = new OutboundDeliveryLedger(options.orm);
    this.logger = options.logger ?? new Logger('OutboundDeliveryWorker');
    this.throttle = options.throttle ?? new TelegramThrottle({ logger: this.logger });
    this.concurrency = Math.max(1, options.concurrentChats ?? DEFAULT_CONCURRENT_CHATS);
    this.unhostedGraceMs = options.unhostedGraceMs ?? 30_000;
    this.recordBackoffMs = options.recordBackoffMs ?? [200, 1_000, 5_000];
  }

  /** Messages claimed and not yet recorded. */
  get inFlight(): number {
    return this.flights.size;
  }

  /**
   * Starts working (idempotent): waits for the hosted bots, fails the rows a dead process left
   * 'sending', then sends what is queued. Resolves once that recovery is done.
   */
  start(): Promise<void> {
    if (this.state === 'stopped') throw new Error('OutboundDeliveryWorker: already stopped');
    this.starting ??= this.recover().then(() => {
      if (this.state !== 'new') return;
      this.state = 'running';
      this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 500);
      this.timer.unref();
      this.wake();
    });
    return this.starting;
  }

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** Looks for queued requests now (after the consumer committed some). */
  wake(): void {
    if (this.state !== 'running') return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump()
      .catch((error: unknown) => this.reportFailure('looking for queued messages', error))
      .finally(() => {
        this.pumping = undefined;
        if (this.pumpAgain) this.wake();
      });
  }

  /**
   * Stops claiming; messages still waiting for their slot stay queued (they never leave), those that
   * left are recorded before this resolves.
   */
  async close(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.timer) clearInterval(this.timer);
    await this.starting?.catch(() => undefined);
    await this.pumping;
    await Promise.allSettled([...this.flights.values()].filter((flight) => flight.stage !== 'waiting').map((flight) => flight.task));
  }

  private async recover(): Promise<void> {
    try {
      await this.options.telegram.ready?.();
    } catch (error) {
      this.logger.warn(`the hosted bots did not report ready (${describe(error)}); sending anyway`);
    }
    const abandoned = await detachedEntityManager(this.options.orm).transactional(async (em) => {
      const rows = await this.ledger.lockAbandoned(em);
      await this.settle(
        em,
        rows.map((row) => ({ row, outcome: outcomeUnknown(row) })),
      );
      return rows.length;
    });
    if (abandoned) this.logger.warn(`${abandoned} outbound message(s) were being sent when the gateway stopped: not sent again, failed OUTCOME_UNKNOWN`);
  }

  private async pump(): Promise<void> {
    while (this.state === 'running') {
      this.pumpAgain = false;
      const free = this.concurrency - this.flights.size;
      if (free <= 0) return;
      const { claimed, passedOver } = await this.claim(free);
      this.failingSince = undefined;
      for (const flight of claimed) this.fly(flight.row, flight.api);
      if (claimed.length === 0 && passedOver === 0 && !this.pumpAgain) return;
    }
  }

  /**
   * The heads of up to `limit` chats with nothing in flight, left 'queued'. `passedOver` counts the
   * heads of bots not hosted (failed, or left for later), which took a place of the limit.
   */
  private claim(limit: number): Promise<{ claimed: { row: DeliveryRow; api: Api }[]; passedOver: number }> {
    const now = Date.now();
    const waitingBots: string[] = [];
    for (const [botId, since] of this.unhosted) {
      if (this.options.telegram.apiFor(botId)) this.unhosted.delete(botId);
      else if (now - since < this.unhostedGraceMs) waitingBots.push(botId);
    }
    // A transaction for the failures of bots no longer waited for: each row with its event.
    return detachedEntityManager(this.options.orm).transactional(async (em) => {
      const rows = await this.ledger.findHeads(em, limit, waitingBots, [...this.flights.keys()]);
      const claimed: { row: DeliveryRow; api: Api }[] = [];
      let passedOver = 0;
      const failing: { row: DeliveryRow; outcome: SendOutcome }[] = [];
      for (const row of rows) {
        const api = this.options.telegram.apiFor(row.botId);
        if (api) {
          claimed.push({ row, api });
          continue;
        }
        passedOver++;
        const since = this.unhosted.get(row.botId) ?? now;
        this.unhosted.set(row.botId, since);
        if (now - since >= this.unhostedGraceMs) {
          failing.push({ row, outcome: { kind: 'failed', failure: 'bot_unavailable', description: 'the bot is not hosted by this gateway', attempts: 0 } });
        }
      }
      await this.settle(em, failing);
      return { claimed, passedOver };
    });
  }

  private fly(row: DeliveryRow, api: Api): void {
    const flight: Flight = { row, stage: 'waiting' };
    this.flights.set(row.requestId, flight);
    flight.task = this.deliver(flight, api)
      .catch((error: unknown) => this.logger.error(`outbound ${row.requestId}: ${describe(error)}`))
      .finally(() => {
        this.flights.delete(row.requestId);
        this.wake();
      });
  }

  private async deliver(flight: Flight, api: Api): Promise<void> {
    const { row } = flight;
    const outcome = await sendOutboundMessage(api, this.throttle, throttledBot(row.botId, api), row, this.options.retry, () => this.leave(flight));
    // Telegram was not called: the row is still 'queued', for a later look (or the next start) to send.
    if (flight.stage !== 'left') return;
    await this.record(row, outcome);
    if (outcome.kind === 'failed' && outcome.failure === 'forbidden' && row.chatId > 0 && !isNeverStarted(outcome.description)) {
      await this.recordBotBlocked(row);
    }
  }

  /**
   * Runs as the throttle lets the request go: marks the row 'sending', committed, before its first
   * call to Telegram. Throws (and Telegram is not called) when the worker is stopping, when the mark
   * did not commit, or when the row is no longer queued.
   */
  private async leave(flight: Flight): Promise<void> {
    if (flight.stage === 'left') return; // a retry round: marked already
    if (this.state !== 'running') throw new NotSentError('the delivery worker stopped before this message was sent');
    flight.stage = 'leaving';
    let marked = false;
    try {
      marked = await this.markSending(flight.row.requestId);
    } finally {
      flight.stage = marked ? 'left' : 'waiting';
    }
    if (!marked) throw new NotSentError('the request is no longer queued');
  }

  /**
   * Marks the row 'sending', committed, with the marks asked for meanwhile by other flights (one
   * statement for all; each flight still waits for its own row's commit before calling Telegram).
   */
  private markSending(requestId: string): Promise<boolean> {
    return new Promise<boolean>((done, failed) => {
      this.marks.push({ requestId, done, failed });
      this.marking ??= this.markGathered();
    });
  }

  private async markGathered(): Promise<void> {
    // The flights let go by the throttle in this turn of the event loop join the first statement.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.marks.length) {
      const marks = this.marks;
      this.marks = [];
      try {
        const marked = await this.ledger.markSendingAll(marks.map((mark) => mark.requestId));
        for (const mark of marks) mark.done(marked.has(mark.requestId));
      } catch (error) {
        for (const mark of marks) mark.failed(error);
      }
    }
    this.marking = undefined;
  }

  /**
   * Settles the row with its outcome event, with the outcomes of other flights that gathered meanwhile
   * (one transaction for all), trying again while the database refuses: the outcome is only in memory
   * now, and a row left 'sending' would later fail OUTCOME_UNKNOWN.
   */
  private record(row: DeliveryRow, outcome: SendOutcome): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.records.push({ row, outcome, done, failed });
      this.recording ??= this.recordGathered();
    });
  }

  private async recordGathered(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.records.length) {
      const records = this.records;
      this.records = [];
      try {
        await this.recordAll(records);
        for (const record of records) record.done();
      } catch (error) {
        for (const record of records) record.failed(error);
      }
    }
    this.recording = undefined;
  }

  private async recordAll(records: readonly { row: DeliveryRow; outcome: SendOutcome }[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await detachedEntityManager(this.options.orm).transactional((em) => this.settle(em, records));
        return;
      } catch (error) {
        // Once stopping, a few more tries; then the rows stay 'sending' (OUTCOME_UNKNOWN at the next start).
        if (this.state === 'stopped' && attempt >= 3) throw error;
        const ids = records.map((record) => record.row.requestId);
        this.logger.warn(
          `outbound ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}: could not record the outcome (attempt ${attempt}): ${describe(error)}`,
        );
        await sleep(this.recordBackoffMs[Math.min(attempt, this.recordBackoffMs.length) - 1] ?? 1_000);
      }
    }
  }

  /** The final statuses and their events, in the caller's transaction; nothing for a row already settled. */
  private async settle(em: EntityManager, settles: readonly { row: DeliveryRow; outcome: SendOutcome }[]): Promise<void> {
    if (!settles.length) return;
    const settled = await this.ledger.settleAll(
      em,
      settles.map(({ row, outcome }) => ({ key: row, outcome })),
    );
    const now = new Date();
    await this.options.store.appendToNewStreams(
      settles
        .filter(({ row }) => settled.has(row.requestId))
        .map(({ row, outcome }) => ({ streamId: deliveryStreamId(row.requestId), events: [toEvent(row, outcome, now)], context: contextOf(row, now) })),
      { em },
    );
  }

  private async recordBotBlocked(row: DeliveryRow): Promise<void> {
    try {
      await this.options.users.recordBotBlocked({ botId: row.botId, telegramUserId: String(row.chatId), blocked: true });
    } catch (error) {
      // The delivery failure is recorded either way; the membership catches up on the next 403 or my_chat_member.
      this.logger.warn(`outbound ${row.requestId}: could not record that user ${row.chatId} blocked bot ${row.botId}: ${describe(error)}`);
    }
  }

  private reportFailure(what: string, error: unknown): void {
    // A poll cut short by the stop (its pool closing) is the stop, not a failure.
    if (this.state === 'stopped') return;
    // One warning per streak of failures (the database away), not one per poll.
    if (this.failingSince !== undefined) return;
    this.failingSince = Date.now();
    this.logger.warn(`outbound worker: ${what} failed: ${describe(error)}`);
  }
}

/** Queued requests → outbound consumer, and the worker that sends them, as one part of the gateway. */
export class OutboundDelivery {
  private worker: OutboundDeliveryWorker | undefined;
  private workerOrm: MikroORM | undefined;

  constructor(private readonly settings: Omit<OutboundDeliveryWorkerOptions, 'orm' | 'store' | 'telegram' | 'users'> = {}) {}

  /**
   * The outbound consumer, its worker started: one worker per ORM, so asking again for the same
   * running service gives a consumer of the same worker.
   */
  consumer(dependencies: Pick<OutboundDeliveryWorkerOptions, 'orm' | 'store' | 'telegram' | 'users'>): BatchConsumerDefinition {
    let worker = this.worker;
    if (!worker || this.workerOrm !== dependencies.orm) {
      void worker?.close();
      const created = new OutboundDeliveryWorker({ ...this.settings, ...dependencies });
      worker = created;
      this.worker = created;
      this.workerOrm = dependencies.orm;
      created.start().catch((error: unknown) => {
        // Closed while recovering (the gateway stopped right after it started): nothing failed.
        if (created.stopped) return;
        (this.settings.logger ?? new Logger('OutboundDelivery')).error(`outbound worker did not start: ${describe(error)}`);
      });
    }
    const running = worker;
    return createOutboundConsumer({ orm: dependencies.orm, onQueued: () => running.wake() });
  }

  /** The worker's messages claimed and not yet recorded (0 before it started). */
  get inFlight(): number {
    return this.worker?.inFlight ?? 0;
  }

  /** Stops the worker (see `OutboundDeliveryWorker.close`). */
  async close(): Promise<void> {
    await this.worker?.close();
  }
}

function outcomeUnknown(row: DeliveryRow): SendOutcome {
  return {
    kind: 'failed',
    failure: 'outcome_unknown',
    description: 'the gateway stopped while sending; not sent again, so the user never gets it twice',
    attempts: row.attempts,
  };
}

function toEvent(row: DeliveryRow, outcome: SendOutcome, now: Date): OutboundDeliveryEvent {
  const { requestId, botId, chatId } = row;
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

function contextOf(row: DeliveryRow, now: Date): EventContext {
  return {
    botId: row.botId,
    correlationId: row.correlationId,
    causationId: row.causationId,
    actor: { kind: 'service', id: 'gateway' },
    occurredAt: now,
  };
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
