import type { Decider, DomainEvent } from '@botplatform/event-store';
import { QuotaExceededError } from './quota.errors.js';

/** One use (or `amount` uses) of a member's daily quota in one bot. */
export interface ConsumeQuota {
  readonly type: 'ConsumeQuota';
  readonly botId: string;
  readonly telegramUserId: number;
  /** The bot's local date the use counts for (`YYYY-MM-DD`); also part of the stream id. */
  readonly localDate: string;
  readonly amount: number;
  /** Uses allowed on that date; `null` when no setting limits the member. */
  readonly limit: number | null;
  /** ISO time the day ends in the bot's time zone (for the refusal's message). */
  readonly resetsAt: string;
  /** ISO time of the command. */
  readonly now: string;
}

export type QuotaCommand = ConsumeQuota;

/** Recorded for unlimited members too, so usage is visible and a later limit finds the day's count. */
export type QuotaConsumed = DomainEvent<
  'QuotaConsumed',
  { botId: string; telegramUserId: number; localDate: string; amount: number; used: number; limit: number | null; consumedAt: string }
>;

export type QuotaEvent = QuotaConsumed;

export interface QuotaState {
  readonly used: number;
}

/**
 * A member's usage of one local day. The day is in the stream id, so tomorrow starts a new stream at
 * zero: nothing has to reset it.
 */
export const quotaDecider: Decider<QuotaState, QuotaCommand, QuotaEvent> = {
  initialState: () => ({ used: 0 }),

  evolve: (state, event) => ({ used: state.used + event.data.amount }),

  decide: (command, state) => {
    const used = state.used + command.amount;
    if (command.limit !== null && used > command.limit) {
      throw new QuotaExceededError(state.used, command.limit, command.resetsAt, command.amount);
    }
    const { botId, telegramUserId, localDate, amount, limit } = command;
    return [{ type: 'QuotaConsumed', data: { botId, telegramUserId, localDate, amount, used, limit, consumedAt: command.now } }];
  },
};

/** The stream of one member's usage on one local date of the bot. */
export const quotaStreamId = (botId: string, telegramUserId: number, localDate: string): string => `quota-${botId}-${telegramUserId}-${localDate}`;
