import { Logger, type LoggerService } from '@nestjs/common';
import { BotError } from 'grammy';
import type { Update } from 'grammy/types';
import { abortablePause } from './abortable-pause.js';
import { AnswerMark } from './answer-mark.js';
import type { IncomingUpdateJournal, PendingUpdate, UpdateSettlement } from './incoming-update.journal.js';
import { isBoundedRetry, isRetryableUpdateFailure } from './retryable-failure.js';

export interface UpdateDispatcherOptions {
  readonly botId: string;
  /** How the bot appears in logs (id and name, never the token). */
  readonly label: string;
  readonly journal: IncomingUpdateJournal;
  /**
   * Runs the bot's middleware on the update (`bot.handleUpdate`) with `mark` as the update in hand of
   * its Bot API calls (`withAnswerMark`); throws a `BotError` when it fails.
   */
  readonly handle: (update: Update, mark: AnswerMark) => Promise<void>;
  /** The bot's error boundary, for failures that get an answer instead of a retry; its calls carry `mark` too. */
  readonly answerFailure: (error: BotError, mark: AnswerMark) => Promise<unknown>;
  /** Chats handled at once (default 64); one update at a time within a chat. */
  readonly concurrentChats?: number;
  /** Pauses before the 1st, 2nd... retry of an update whose dependency is away (default 0.5 s up to 10 s). */
  readonly retryDelaysMs?: readonly number[];
  /** Attempts of an update answered `INTERNAL` by another service before it is answered with an apology (default 5). */
  readonly maxInternalAttempts?: number;
  /** An update still failing on its dependencies this long after it arrived is given up (default 24 h, as Telegram keeps updates). */
  readonly giveUpAfterMs?: number;
  readonly logger?: LoggerService;
}

interface Item {
  readonly update: Update;
  attempts: number;
  readonly receivedAt: number;
  readonly settled: Promise<void>;
  resolve(): void;
}

type Outcome =
  | { readonly kind: 'settle'; readonly settlement: UpdateSettlement }
  /** Handled, and marked as being answered: its settle is bookkeeping and is batched. */
  | { readonly kind: 'answered' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string };

// Capped at 10 s: once the dependency is back, a waiting member is answered within seconds.
const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];
/** Answered updates are settled together, this long after the first of a batch. */
const ANSWERED_SETTLE_DELAY_MS = 20;

/**
 * Handles one bot's recorded updates: in order within each chat (or sender), many chats at once. An
 * update that fails because a dependency is away is tried again after a pause, and the chat's later
 * updates wait behind it, so the member gets their answers late and in order rather than an apology
 * or nothing. Other failures go to the bot's error boundary, which answers them. An update leaves the
 * journal's 'pending' state just before its first visible answer leaves (`AnswerMark`), or once handled
 * when it has none; after a crash, what is still 'pending' is handled again from the journal.
 *
 * The gateway assumes one process per database, so the queues live in memory: the journal is what a
 * restart reads them back from, not a lock between workers.
 */
export class UpdateDispatcher {
  private readonly chats = new Map<string, Item[]>();
  /** Chats with an update being handled (or waiting out a retry pause). */
  private readonly running = new Map<string, Promise<void>>();
  /** Chats with work, waiting for a free place. */
  private readonly waiting: string[] = [];
  private readonly stopping = new AbortController();
  private readonly logger: LoggerService;
  private readonly limit: number;
  private readonly retryDelaysMs: readonly number[];
  /** Answered updates whose settle is waiting for the next batch. */
  private answered: number[] = [];
  private answeredFlush: NodeJS.Timeout | undefined;

  constructor(private readonly options: UpdateDispatcherOptions) {
    this.logger = options.logger ?? new Logger('UpdateDispatcher');
    this.limit = Math.max(1, options.concurrentChats ?? 64);
    this.retryDelaysMs = options.retryDelaysMs?.length ? options.retryDelaysMs : DEFAULT_RETRY_DELAYS_MS;
  }

  /** Updates recorded and not yet settled, in memory. */
  get backlog(): number {
    let count = 0;
    for (const queue of this.chats.values()) count += queue.length;
    return count;
  }

  /**
   * Queues recorded updates (in `update_id` order) behind their chat's earlier ones. Resolves each
   * returned promise once its update is settled in the journal; never rejects.
   */
  accept(updates: readonly (Update | PendingUpdate)[]): Promise<void>[] {
    return updates.map((entry) => {
      const pending = 'update' in entry && typeof entry.update === 'object' ? (entry as PendingUpdate) : undefined;
      const update = pending ? pending.update : (entry as Update);
      let resolve!: () => void;
      const settled = new Promise<void>((r) => (resolve = r));
      const item: Item = { update, attempts: pending?.attempts ?? 0, receivedAt: pending?.receivedAt.getTime() ?? Date.now(), settled, resolve };
      if (this.stopping.signal.aborted) return settled; // handled from the journal by the next start
      const key = chatKeyOf(update);
      const queue = this.chats.get(key);
      if (queue) queue.push(item);
      else this.chats.set(key, [item]);
      this.schedule(key);
      return settled;
    });
  }

  /** Queues what the journal holds for this bot (after a restart): the updates a dead process left. */
  async recover(): Promise<number> {
    const pending = await this.options.journal.pending(this.options.botId);
    this.accept(pending);
    if (pending.length) this.logger.log(`${this.options.label}: ${pending.length} update(s) recorded before a restart are handled now`);
    return pending.length;
  }

  /**
   * Stops taking updates and waits (up to `graceMs`) for those being handled; the rest stay pending in
   * the journal. True when everything in hand was settled in time.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping.abort();
    this.waiting.length = 0;
    const inHand = Promise.allSettled([...this.running.values()]);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    try {
      return await Promise.race([inHand.then(() => true), expired]);
    } finally {
      clearTimeout(timer);
      await this.settleAnswered();
    }
  }

  private schedule(key: string): void {
    if (this.running.has(key) || this.waiting.includes(key)) return;
    if (this.running.size >= this.limit) {
      this.waiting.push(key);
      return;
    }
    const run = this.drain(key).finally(() => {
      this.running.delete(key);
      if (this.chats.get(key)?.length && !this.stopping.signal.aborted) this.waiting.push(key);
      const next = this.waiting.shift();
      if (next !== undefined) this.schedule(next);
    });
    this.running.set(key, run);
  }

  /** Handles the chat's updates one after another until its queue is empty or the dispatcher stops. */
  private async drain(key: string): Promise<void> {
    const queue = this.chats.get(key);
    while (queue?.length && !this.stopping.signal.aborted) {
      const item = queue[0];
      const outcome = await this.attempt(item);
      if (outcome.kind === 'retry') {
        await abortablePause(outcome.delayMs, this.stopping.signal);
        continue;
      }
      if (outcome.kind === 'answered') this.settleAnsweredSoon(item.update.update_id);
      else if (!(await this.settle(item, outcome.settlement))) return;
      queue.shift();
      item.resolve();
    }
    if (queue && queue.length === 0 && this.chats.get(key) === queue) this.chats.delete(key);
  }

  private async attempt(item: Item): Promise<Outcome> {
    const { update } = item;
    const mark = new AnswerMark(
      () => this.options.journal.markAnswering(this.options.botId, update.update_id),
      () => this.options.journal.unmarkAnswering(this.options.botId, update.update_id),
    );
    try {
      await this.options.handle(update, mark);
      return mark.marked ? { kind: 'answered' } : { kind: 'settle', settlement: { status: 'handled' } };
    } catch (error) {
      const cause = error instanceof BotError ? (error.error as unknown) : error;
      item.attempts++;
      const reason = describe(cause);
      if (mark.marked && isRetryableUpdateFailure(cause)) {
        // Something the member sees has left: handling the update again would send it twice. What is
        // left undone stays undone, as after a crash at this point.
        this.logger.warn(`${this.options.label}: update ${update.update_id} failed after its answer had started, not handled again: ${reason}`);
        return { kind: 'settle', settlement: { status: 'failed', reason: `failed after its answer had started: ${reason}` } };
      }
      const expired = Date.now() - item.receivedAt >= (this.options.giveUpAfterMs ?? 24 * 3_600_000);
      const exhausted = isBoundedRetry(cause) && item.attempts >= (this.options.maxInternalAttempts ?? 5);
      if (isRetryableUpdateFailure(cause) && !expired && !exhausted && !this.stopping.signal.aborted) {
        const delayMs = this.retryDelaysMs[Math.min(item.attempts, this.retryDelaysMs.length) - 1];
        if (item.attempts === 1 || item.attempts % 5 === 0) {
          this.logger.warn(
            `${this.options.label}: update ${update.update_id} waits for a dependency (attempt ${item.attempts}, next in ${delayMs} ms): ${reason}`,
          );
        }
        this.options.journal.noteFailedAttempt(this.options.botId, update.update_id, item.attempts, reason).catch(() => undefined);
        return { kind: 'retry', delayMs, reason };
      }
      if (this.stopping.signal.aborted && isRetryableUpdateFailure(cause)) {
        // Left pending: the next start handles it again, with its dependencies back by then, one hopes.
        return { kind: 'retry', delayMs: 0, reason };
      }
      await this.answer(error, update, mark);
      return { kind: 'settle', settlement: expired || exhausted ? { status: 'failed', reason } : { status: 'handled' } };
    }
  }

  private async answer(error: unknown, update: Update, mark: AnswerMark): Promise<void> {
    if (!(error instanceof BotError)) {
      this.logger.error(`${this.options.label}: update ${update.update_id} failed outside its middleware: ${describe(error)}`);
      return;
    }
    try {
      await this.options.answerFailure(error, mark);
    } catch (unhandled) {
      this.logger.error(`${this.options.label}: update ${update.update_id} failed, and so did its error handler (${describe(unhandled)})`);
    }
  }

  /** Queues an answered update's settle for the next batch. */
  private settleAnsweredSoon(updateId: number): void {
    this.answered.push(updateId);
    this.answeredFlush ??= setTimeout(() => void this.settleAnswered(), ANSWERED_SETTLE_DELAY_MS);
  }

  /**
   * Settles the answered updates queued so far, in one statement. A failure puts them back for a
   * later batch: they are already out of the journal's 'pending' state, so nothing waits on this.
   */
  private async settleAnswered(): Promise<void> {
    clearTimeout(this.answeredFlush);
    this.answeredFlush = undefined;
    const updateIds = this.answered;
    if (updateIds.length === 0) return;
    this.answered = [];
    try {
      await this.options.journal.settleAnswered(this.options.botId, updateIds);
    } catch (error) {
      this.answered.push(...updateIds);
      if (this.stopping.signal.aborted) return;
      this.logger.warn(`${this.options.label}: could not settle ${updateIds.length} answered update(s), retrying: ${describe(error)}`);
      this.answeredFlush ??= setTimeout(() => void this.settleAnswered(), this.retryDelaysMs[this.retryDelaysMs.length - 1]);
    }
  }

  /**
   * Settles the update in the journal, trying again while the database refuses: handling it again
   * would answer the member twice. False when the dispatcher stopped first (it stays pending).
   */
  private async settle(item: Item, settlement: UpdateSettlement): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.journal.settle(this.options.botId, item.update.update_id, settlement);
        return true;
      } catch (error) {
        if (this.stopping.signal.aborted && attempt >= 3) return false;
        if (attempt === 1) this.logger.warn(`${this.options.label}: could not mark update ${item.update.update_id} handled, retrying: ${describe(error)}`);
        await abortablePause(this.retryDelaysMs[Math.min(attempt, this.retryDelaysMs.length) - 1], attempt >= 3 ? this.stopping.signal : undefined);
      }
    }
  }
}

/** Updates of one chat (or, without a chat, of one sender) are handled in order; others stand alone. */
export function chatKeyOf(update: Update): string {
  const values = Object.values(update) as unknown[];
  for (const value of values) {
    if (typeof value !== 'object' || value === null) continue;
    const { chat, from, message, user } = value as {
      chat?: { id?: number };
      from?: { id?: number };
      message?: { chat?: { id?: number } };
      user?: { id?: number };
    };
    const chatId = chat?.id ?? message?.chat?.id;
    if (chatId !== undefined) return `c${chatId}`;
    const userId = from?.id ?? user?.id;
    if (userId !== undefined) return `u${userId}`;
  }
  return `#${update.update_id}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
