import { ParkTimerError, type DueTimer, type TimerContext, type TimerHandler } from '@botplatform/scheduler';
import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { SubscriptionCommands } from './subscription-commands.js';
import { EXPIRY_TIMER, type ExpiryTimerPayload } from './subscription-schedule.js';
import { isRunning } from './subscription.decider.js';
import { TimerAheadOfClockError } from './subscription.errors.js';

/**
 * Records the end of a period when its expiry timer fires: `ExpireSubscription` in the timer's own
 * transaction, so the `SubscriptionExpired` event (published as `subscriptions.subscription.expired.v1`),
 * the access row and the timer's fired mark commit together, once, whichever replica fires it.
 */
@Injectable()
export class ExpireSubscriptionUseCase implements TimerHandler<ExpiryTimerPayload> {
  readonly kind = EXPIRY_TIMER;

  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly clock: Clock,
  ) {}

  async handle(timer: DueTimer<ExpiryTimerPayload>, { em }: TimerContext): Promise<void> {
    const { botId, telegramUserId } = timer.payload ?? {};
    if (typeof botId !== 'string' || !Number.isSafeInteger(telegramUserId)) throw new ParkTimerError(`expiry timer ${timer.key} without its member`);
    const now = this.clock.now();
    const { state, newEvents } = await this.commands.handle(
      { type: 'ExpireSubscription', botId, telegramUserId, now: now.toISOString() },
      { kind: 'system', id: `timer:${EXPIRY_TIMER}` },
      now,
      { em },
    );
    // The service's clock decides what is due, as for every command. The database's clock fired the timer:
    // when the service's is behind it, the period this timer is for still runs, and the timer is tried
    // again after its backoff rather than marked fired with the expiry lost.
    const period = state.view.period;
    if (!newEvents.length && isRunning(period, now.toISOString()) && Date.parse(period.endsAt) <= timer.dueAt.getTime()) {
      throw new TimerAheadOfClockError(timer.kind, timer.key, timer.dueAt, now);
    }
  }
}
