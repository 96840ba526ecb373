import { ParkTimerError, type DueTimer, type TimerContext, type TimerHandler } from '@botplatform/scheduler';
import { Injectable } from '@nestjs/common';
import { PlanCatalog } from '../plan/plan-catalog.js';
import { Clock } from '../shared/clock.js';
import { grantedPlanOf } from './manage-subscriptions.use-case.js';
import { SubscriptionCommands } from './subscription-commands.js';
import { RENEWAL_TIMER, type RenewalTimerPayload } from './subscription-schedule.js';
import { subscriptionStreamId } from './subscription.decider.js';
import { TimerAheadOfClockError } from './subscription.errors.js';
import { renewalAttemptOf } from './wallet-renewal.js';
import { WalletRenewalClient } from './wallet-renewal.client.js';

const WALLET_RENEWAL_ACTOR = { kind: 'system', id: `timer:${RENEWAL_TIMER}` } as const;

/**
 * A renewal timer fired: the period is renewed from the member's wallet, all in the timer's transaction.
 * 1. The decider's `renewalAttemptOf` says whether this attempt charges (the running period with the
 *    timer's end, renewal on, renewed from the wallet, the attempt that is next); else nothing happens.
 * 2. Payments charges the plan's price under the period's renewal key (`rpc.payments.renew-from-wallet`):
 *    once per key, a second call answering the first charge.
 * 3. Charged: the plan is granted under the same key (the normal grant path, so the period is extended
 *    from its current end, once). Refused or unreachable: `RenewalAttemptFailed` with the reason and the
 *    next attempt's time (its timer is written with it), none after the last one.
 * A crash between 2 and 3 rolls the timer back; its retry is charged nothing more and grants the period.
 */
@Injectable()
export class RenewFromWalletUseCase implements TimerHandler<RenewalTimerPayload> {
  readonly kind = RENEWAL_TIMER;

  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly catalog: PlanCatalog,
    private readonly payments: WalletRenewalClient,
    private readonly clock: Clock,
  ) {}

  async handle(timer: DueTimer<RenewalTimerPayload>, { em }: TimerContext): Promise<void> {
    const { botId, telegramUserId, endsAt, attempt } = timer.payload ?? {};
    if (typeof botId !== 'string' || !Number.isSafeInteger(telegramUserId) || typeof endsAt !== 'string' || !Number.isSafeInteger(attempt)) {
      throw new ParkTimerError(`renewal timer ${timer.key} without its member, end or attempt`);
    }
    const now = this.clock.now();
    // The service's clock decides, as for the expiry (expire-subscription.use-case.ts).
    if (now.getTime() < timer.dueAt.getTime()) throw new TimerAheadOfClockError(timer.kind, timer.key, timer.dueAt, now);
    const streamId = subscriptionStreamId(botId, telegramUserId);
    const state = await this.commands.state(botId, telegramUserId, { em });
    const decision = renewalAttemptOf(state, streamId, { endsAt, attempt, now: now.toISOString() });
    if ('skip' in decision) return;
    const { key, planId } = decision.attempt;
    const plan = await this.catalog.findOffered(botId, planId);
    const charge = plan ? await this.payments.charge({ botId, telegramUserId, planId, renewalKey: key }) : null;
    const at = this.clock.now();
    if (plan && charge && 'charged' in charge) {
      // Charged (now, or by an earlier attempt whose extension was lost): the period is extended under the key, once.
      await this.commands.handle(
        {
          type: 'GrantSubscription',
          botId,
          telegramUserId,
          grantId: key,
          plan: grantedPlanOf(plan),
          source: 'payment',
          grantedBy: `wallet:${charge.charged.paymentId}`,
          renewal: true,
          now: at.toISOString(),
        },
        WALLET_RENEWAL_ACTOR,
        at,
        { em },
      );
      return;
    }
    const reason = charge && 'failed' in charge ? charge.failed : 'plan_unavailable';
    await this.commands.handle(
      { type: 'RecordRenewalFailure', botId, telegramUserId, endsAt, attempt, reason, now: at.toISOString() },
      WALLET_RENEWAL_ACTOR,
      at,
      { em },
    );
  }
}
