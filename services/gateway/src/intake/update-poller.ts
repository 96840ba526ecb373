import { Logger, type LoggerService } from '@nestjs/common';
import { GrammyError, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import { abortablePause } from './abortable-pause.js';
import type { IncomingUpdateJournal } from './incoming-update.journal.js';
import type { UpdateDispatcher } from './update-dispatcher.js';
import { ALLOWED_UPDATES } from './allowed-updates.js';

export interface UpdatePollerOptions {
  readonly botId: string;
  /** How the bot appears in logs (id and name, never the token). */
  readonly label: string;
  readonly api: Api;
  readonly journal: IncomingUpdateJournal;
  readonly dispatcher: UpdateDispatcher;
  /** Long-polling `timeout` of getUpdates, in seconds. */
  readonly timeoutSeconds: number;
  /** Pauses after failed getUpdates or journal writes (default 0.25 s up to 5 s). */
  readonly retryDelaysMs?: readonly number[];
  readonly logger?: LoggerService;
}

const DEFAULT_RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 5_000];

/** Telegram's answers that no retry can change: a revoked token (401, 404) or another poller (409). */
const FATAL_CODES = new Set([401, 404, 409]);

/**
 * Long polling for one bot that loses nothing: each batch of getUpdates is written to the journal
 * before the next call's `offset` confirms it to Telegram. While the database refuses, the offset does
 * not move, so Telegram keeps the updates and hands them again; a batch recorded just before a crash
 * comes again too, and the journal leaves its duplicates out.
 *
 * (The grammY runner confirms a batch as soon as it is fetched, before it is handled: a crash or a
 * failed handler then lost it.)
 */
export class UpdatePoller {
  private readonly stopping = new AbortController();
  private readonly logger: LoggerService;
  private readonly retryDelaysMs: readonly number[];
  private running: Promise<void> | undefined;

  constructor(private readonly options: UpdatePollerOptions) {
    this.logger = options.logger ?? new Logger('UpdatePoller');
    this.retryDelaysMs = options.retryDelaysMs?.length ? options.retryDelaysMs : DEFAULT_RETRY_DELAYS_MS;
  }

  /** Starts polling; the returned promise rejects only on a fatal answer (revoked token, another poller). */
  start(): Promise<void> {
    this.running ??= this.poll();
    return this.running;
  }

  /** Stops polling: the pending getUpdates is aborted, and nothing fetched is left unrecorded. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private async poll(): Promise<void> {
    const { api, timeoutSeconds } = this.options;
    const signal = this.stopping.signal;
    let offset: number | undefined;
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await api.getUpdates({ offset, timeout: timeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] }, signal as Parameters<Api['getUpdates']>[1]);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof GrammyError && FATAL_CODES.has(error.error_code)) throw error;
        await this.pause(++failures);
        continue;
      }
      if (updates.length === 0) continue;
      const fresh = await this.recordUntilDone(updates);
      if (!fresh) return;
      this.options.dispatcher.accept(fresh);
      offset = updates[updates.length - 1].update_id + 1;
    }
  }

  /** The batch's new updates once recorded; undefined when stopped before (Telegram keeps them). */
  private async recordUntilDone(updates: readonly Update[]): Promise<Update[] | undefined> {
    for (let attempt = 1; !this.stopping.signal.aborted; attempt++) {
      try {
        return await this.options.journal.record(this.options.botId, updates);
      } catch (error) {
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn(
            `${this.options.label}: could not record ${updates.length} update(s), Telegram keeps them until then (attempt ${attempt}): ${describe(error)}`,
          );
        }
        await this.pause(attempt);
      }
    }
    return undefined;
  }

  private pause(failures: number): Promise<void> {
    return abortablePause(this.retryDelaysMs[Math.min(failures, this.retryDelaysMs.length) - 1], this.stopping.signal);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
