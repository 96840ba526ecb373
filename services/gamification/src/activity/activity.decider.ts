import type { Decider, DomainEvent } from '@botplatform/event-store';

/** The stream of one activity of one member in one bot: it holds at most one ActivityCompleted. */
export const activityStreamId = (botId: string, telegramUserId: number, activityId: string): string =>
  `gamification-activity-${botId}-${telegramUserId}-${activityId}`;

/** Named figures of an activity (seed 003: clarity level, question counts). */
export type Metrics = Readonly<Record<string, number>>;

export interface CompleteActivity {
  readonly type: 'CompleteActivity';
  readonly botId: string;
  readonly telegramUserId: number;
  readonly activityId: string;
  readonly activityType: string;
  readonly score: number | null;
  readonly metrics: Metrics;
  /** The bot's own JSON object (per-type counts, the case, a session snapshot), already parsed. */
  readonly payload: Readonly<Record<string, unknown>> | null;
  /** ISO time the activity happened (checked by the use case: not in the future). */
  readonly occurredAt: string;
  /** The first local dates of the week and month of the bot's calendar holding `occurredAt` (its score boards). */
  readonly periods: ActivityPeriods;
  /** ISO time of the command: the decider reads no clock. */
  readonly now: string;
}

/** A week's Monday and a month's 1st, `YYYY-MM-DD` in the bot's time zone. */
export interface ActivityPeriods {
  readonly week: string;
  readonly month: string;
}

export type ActivityCompleted = DomainEvent<
  'ActivityCompleted',
  {
    botId: string;
    telegramUserId: number;
    activityId: string;
    activityType: string;
    score: number | null;
    metrics: Metrics;
    payload: Readonly<Record<string, unknown>> | null;
    occurredAt: string;
    recordedAt: string;
    /** Absent in records made before the boards by score had periods: those count on the all-time board only. */
    periods?: ActivityPeriods;
  }
>;

export type ActivityEvent = ActivityCompleted;

export interface ActivityState {
  readonly completed: ActivityCompleted['data'] | null;
}

/**
 * One activity, recorded once: the first CompleteActivity of an id is the record; any later one (a retry,
 * a redelivery, the same id with other figures) records nothing and the first record stands.
 */
export const activityDecider: Decider<ActivityState, CompleteActivity, ActivityEvent> = {
  initialState: () => ({ completed: null }),
  evolve: (_state, event) => ({ completed: event.data }),
  decide: (command, state) => {
    if (state.completed) return [];
    const { type: _type, now, ...data } = command;
    return [{ type: 'ActivityCompleted', data: { ...data, recordedAt: now } }];
  },
};
