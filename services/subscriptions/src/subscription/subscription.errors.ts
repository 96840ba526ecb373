import { SubscriptionsError } from '../subscriptions.errors.js';

/** The member took the bot's trial before (whether it still runs or not): a trial is once per member and bot. */
export class TrialAlreadyTakenError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.TRIAL_ALREADY_TAKEN';
  constructor(
    readonly botId: string,
    readonly telegramUserId: number,
  ) {
    super(`member ${telegramUserId} of bot ${botId} took the trial already`);
  }
}

/** A member with a running period is offered no trial. */
export class AlreadySubscribedError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.ALREADY_SUBSCRIBED';
  constructor(
    readonly botId: string,
    readonly telegramUserId: number,
  ) {
    super(`member ${telegramUserId} of bot ${botId} has a running subscription`);
  }
}

/** The bot has no active trial plan to start. */
export class NoTrialError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.NO_TRIAL';
  constructor(readonly botId: string) {
    super(`bot ${botId} offers no trial`);
  }
}

/** The bot's trial has prices: it is bought (a grant with source PAYMENT), not started for free. */
export class TrialNotFreeError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.TRIAL_NOT_FREE';
  constructor(readonly planId: string) {
    super(`trial plan ${planId} is paid`);
  }
}

/** Nothing to act on: no running period and no credits. */
export class NotSubscribedError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.NOT_SUBSCRIBED';
  constructor(
    readonly botId: string,
    readonly telegramUserId: number,
  ) {
    super(`member ${telegramUserId} of bot ${botId} has no running subscription`);
  }
}

/** No credit left: nothing was consumed. */
export class NoCreditsError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.NO_CREDITS';
  constructor(
    readonly botId: string,
    readonly telegramUserId: number,
  ) {
    super(`member ${telegramUserId} of bot ${botId} has no credits left`);
  }
}

/**
 * A grant that would take the subscription past what its contract can carry: more credits than an int32
 * holds, or an end after 9999-12-31 (a protobuf Timestamp's last day). Refused rather than stored, since
 * such an event could never be published.
 */
export class GrantOutOfRangeError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.GRANT_OUT_OF_RANGE';
  constructor(
    readonly botId: string,
    readonly telegramUserId: number,
    what: string,
  ) {
    super(`a grant to member ${telegramUserId} of bot ${botId} would take ${what} out of range`);
  }
}

/** An admin's extension or credits outside 1..max (a whole number): nothing is granted. */
export class InvalidAmountError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.INVALID_AMOUNT';
  constructor(
    readonly what: 'days' | 'credits',
    readonly value: number,
    readonly max: number,
  ) {
    super(`${what} must be a whole number from 1 to ${max}, not ${value}`);
  }
}

/** Credits can only be added with a credit pack's entitlements: the plan named is a period plan. */
export class NotACreditPackError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.NOT_A_CREDIT_PACK';
  constructor(readonly planId: string) {
    super(`plan ${planId} is not a credit pack`);
  }
}

/**
 * A timer fired (by the database's clock) before the service's clock reached the instant it is for: it
 * is retried after its backoff rather than marked fired with nothing done.
 */
export class TimerAheadOfClockError extends SubscriptionsError {
  readonly code = 'SUBSCRIPTIONS.TIMER_AHEAD_OF_CLOCK';
  constructor(kind: string, key: string, dueAt: Date, now: Date) {
    super(`timer ${kind} ${key} due at ${dueAt.toISOString()} fired while the service's clock reads ${now.toISOString()}`);
  }
}
