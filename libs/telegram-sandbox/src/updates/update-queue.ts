import type { Update } from 'grammy/types';
import { TelegramErrors, type TelegramApiError } from '../errors/telegram-api.error.js';

/** The name of the one field an update carries besides `update_id` (`message`, `callback_query`, ...). */
export type UpdateType = Exclude<keyof Update, 'update_id'>;

/** An update before the queue numbers it. */
export type UpdatePayload = Omit<Update, 'update_id'>;

/** Telegram's default when `allowed_updates` is empty or never set: everything but these three. */
const OPT_IN_UPDATE_TYPES: ReadonlySet<string> = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export function updateTypeOf(update: UpdatePayload): UpdateType {
  const key = Object.keys(update).find((name) => name !== 'update_id');
  if (!key) throw new Error('An update must carry exactly one payload field');
  return key as UpdateType;
}

interface PendingPoll {
  offset: number;
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (error: TelegramApiError) => void;
  timer: NodeJS.Timeout;
  wakeScheduled: boolean;
}

/** Options of one getUpdates call, already validated and clamped like the Bot API does. */
export interface PollRequest {
  offset: number;
  limit: number;
  timeoutMs: number;
  /** Aborted when the HTTP client goes away, so a dead poll does not swallow the next updates. */
  signal?: AbortSignal;
}

/** What survives a restart: unconfirmed updates stay pending and numbering continues after them. */
export interface UpdateQueueSnapshot {
  nextUpdateId: number;
  pending: Update[];
  allowedUpdates?: string[];
}

/**
 * A bot's pending updates and its one long-polling consumer.
 *
 * Mirrors the Bot API server: updates stay until a later `offset` confirms them, a negative offset
 * keeps only the newest ones, an idle poll waits up to `timeout`, and a second concurrent poll
 * terminates the first with 409 (only one bot instance may poll).
 */
export class UpdateQueue {
  private pending: Update[] = [];
  private nextUpdateId: number;
  private allowed: ReadonlySet<string> | undefined;
  private poll: PendingPoll | undefined;
  private readonly pushListeners = new Set<() => void>();

  constructor(firstUpdateId: number) {
    this.nextUpdateId = firstUpdateId;
  }

  snapshot(): UpdateQueueSnapshot {
    return {
      nextUpdateId: this.nextUpdateId,
      pending: structuredClone(this.pending),
      ...(this.allowed ? { allowedUpdates: [...this.allowed] } : {}),
    };
  }

  static restore(snapshot: UpdateQueueSnapshot): UpdateQueue {
    const queue = new UpdateQueue(snapshot.nextUpdateId);
    queue.pending = snapshot.pending;
    queue.setAllowedUpdates(snapshot.allowedUpdates);
    return queue;
  }

  /** Updates not yet confirmed (getUpdates) or delivered (webhook). */
  get pendingUpdates(): readonly Update[] {
    return this.pending;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** The persisted `allowed_updates` list; undefined means Telegram's default set. */
  get allowedUpdates(): readonly string[] | undefined {
    return this.allowed ? [...this.allowed] : undefined;
  }

  /** Persists `allowed_updates` as getUpdates and setWebhook do; an empty list restores the default. */
  setAllowedUpdates(types: readonly string[] | undefined): void {
    if (types === undefined) return;
    this.allowed = types.length === 0 ? undefined : new Set(types);
  }

  isAllowed(type: string): boolean {
    return this.allowed ? this.allowed.has(type) : !OPT_IN_UPDATE_TYPES.has(type);
  }

  /** Numbers and stores an update, unless the bot opted out of its type (then it is never created). */
  push(payload: UpdatePayload): Update | undefined {
    if (!this.isAllowed(updateTypeOf(payload))) return undefined;
    const update = { update_id: this.nextUpdateId++, ...payload } as Update;
    this.pending.push(update);
    this.scheduleWake();
    for (const listener of this.pushListeners) listener();
    return update;
  }

  /** Called after every push; the webhook deliverer uses it to start sending. */
  onPush(listener: () => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  remove(updateId: number): void {
    this.pending = this.pending.filter((update) => update.update_id !== updateId);
  }

  /** drop_pending_updates. */
  clear(): void {
    this.pending = [];
  }

  /**
   * One getUpdates call. Resolves at once when updates are there or `timeoutMs` is 0; otherwise
   * waits for the first update (then answers on the next tick so a burst arrives together) or the timeout.
   */
  async take(request: PollRequest): Promise<Update[]> {
    this.terminatePoll(TelegramErrors.terminatedByOtherGetUpdates());
    this.confirm(request.offset);
    const ready = this.readyUpdates(request.limit);
    if (ready.length > 0 || request.timeoutMs <= 0) return ready;

    return new Promise<Update[]>((resolve, reject) => {
      const poll: PendingPoll = {
        offset: request.offset,
        limit: request.limit,
        resolve,
        reject,
        wakeScheduled: false,
        timer: setTimeout(() => this.finishPoll(poll), request.timeoutMs),
      };
      this.poll = poll;
      request.signal?.addEventListener(
        'abort',
        () => {
          if (this.poll !== poll) return;
          clearTimeout(poll.timer);
          this.poll = undefined;
          resolve([]);
        },
        { once: true },
      );
    });
  }

  /** Ends a waiting poll with an error (another poller, a webhook being set). */
  terminatePoll(error: TelegramApiError): void {
    const poll = this.poll;
    if (!poll) return;
    clearTimeout(poll.timer);
    this.poll = undefined;
    poll.reject(error);
  }

  /** Answers a waiting poll with whatever is there (used when the sandbox stops). */
  releasePoll(): void {
    if (this.poll) this.finishPoll(this.poll);
  }

  private finishPoll(poll: PendingPoll): void {
    if (this.poll !== poll) return;
    clearTimeout(poll.timer);
    this.poll = undefined;
    poll.resolve(this.readyUpdates(poll.limit));
  }

  private scheduleWake(): void {
    const poll = this.poll;
    if (!poll || poll.wakeScheduled) return;
    poll.wakeScheduled = true;
    setImmediate(() => this.finishPoll(poll));
  }

  private confirm(offset: number): void {
    if (offset < 0) {
      this.pending = this.pending.slice(Math.max(0, this.pending.length + offset));
    } else if (offset > 0) {
      this.pending = this.pending.filter((update) => update.update_id >= offset);
    }
  }

  private readyUpdates(limit: number): Update[] {
    // Updates of a type the bot has since opted out of are dropped rather than delivered.
    this.pending = this.pending.filter((update) => this.isAllowed(updateTypeOf(update)));
    return this.pending.slice(0, limit);
  }
}
