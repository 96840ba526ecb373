import { RpcCallError } from '@botplatform/bus';
import { ParkTimerError, type DueTimer, type TimerHandler } from '@botplatform/scheduler';
import { Injectable, Logger } from '@nestjs/common';
import { defaultGrantId } from '../payment/complete-payment.use-case.js';
import { PaymentCommands } from '../payment/payment-commands.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { WALLET_GRANT_TIMER, type WalletGrantPayload } from './wallet-grant-timers.js';

/**
 * Grants a completed wallet payment's plan if it was not granted yet: the grant is asked again under the
 * payment's own grant id (its charge id `wallet:<paymentId>`, the key PayFromWallet's grant used), so
 * subscriptions grants it once whether the first grant happened or not. Subscriptions away: the timer is
 * retried with backoff until it answers. A refunded payment is granted nothing; a refund that lands
 * between the check and a grant this timer made takes the access away again. A typed refusal (the plan
 * archived) can never succeed and parks the timer for an operator to see.
 */
@Injectable()
export class WalletGrantRetry implements TimerHandler<WalletGrantPayload> {
  readonly kind = WALLET_GRANT_TIMER;
  readonly backoffMs = [2_000, 5_000, 15_000, 60_000, 300_000];
  /** About a day and a half of tries every 5 minutes at the end. */
  readonly maxAttempts = 500;
  private readonly logger = new Logger('WalletGrantRetry');

  constructor(
    private readonly payments: PaymentCommands,
    private readonly subscriptions: SubscriptionsClient,
  ) {}

  async handle(timer: DueTimer<WalletGrantPayload>): Promise<void> {
    const paymentId = timer.payload?.paymentId;
    if (typeof paymentId !== 'string') throw new ParkTimerError(`wallet grant timer ${timer.key} without its payment`);
    const payment = await this.payments.state(paymentId);
    if (payment.status !== 'completed' || payment.provider !== 'wallet' || !payment.chargeId) return;
    let changed: boolean;
    try {
      ({ changed } = await this.subscriptions.grant({
        grantId: defaultGrantId(payment.provider, payment.chargeId),
        botId: payment.botId,
        telegramUserId: payment.telegramUserId,
        planId: payment.planId,
      }));
    } catch (error) {
      if (error instanceof RpcCallError) throw new ParkTimerError(`wallet payment ${paymentId} cannot be granted: ${error.code}: ${error.message}`);
      throw error;
    }
    if (!changed) return;
    this.logger.log(`wallet payment ${paymentId} granted by its retry`);
    const after = await this.payments.state(paymentId);
    if (after.status === 'refunded') {
      await this.subscriptions.revoke({ botId: payment.botId, telegramUserId: payment.telegramUserId, reason: 'refund', revokedBy: 'payments' });
    }
  }
}
