import type { SubscriptionViewJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { PaymentCommands } from './payment-commands.js';
import { PaymentAlreadyRefundedError, PaymentNotFoundError } from './payment.errors.js';

export interface CompletePaymentInput {
  readonly botId: string;
  readonly telegramUserId: string;
  readonly paymentId: string;
  readonly chargeId: string;
  readonly currency: string;
  readonly totalAmount: string;
  /** `subscription_expiration_date` (unix seconds) of a Stars subscription's charge. */
  readonly subscriptionExpirationDate?: string;
  /** The grant's idempotency key; `stars:<chargeId>` when absent (a provider's charge id names its provider already). */
  readonly grantId?: string;
}

export interface CompletedPayment {
  readonly paymentId: string;
  readonly planId: string;
  /** The member's subscription after the grant. */
  readonly subscription: SubscriptionViewJson;
  /** False when this charge had been granted before (a duplicated update). */
  readonly granted: boolean;
  /** A later charge of the payment's Stars subscription. */
  readonly renewal: boolean;
}

/**
 * The grant's idempotency key of a charge when the caller names none: a wallet payment's charge id
 * ("wallet:<payment id>") as it is, anything else `stars:<charge id>`. The wallet grant retry
 * (grant-retry/) asks again under the same key, so a grant happens once whichever asks first.
 */
export function defaultGrantId(provider: string, chargeId: string): string {
  return provider === 'wallet' ? chargeId : `stars:${chargeId}`;
}

/**
 * Telegram charged the member (`successful_payment`): the payment is completed by its charge, then
 * subscriptions grants the plan with the charge id as the grant's idempotency key. Both steps are
 * idempotent, so a duplicated update, or a retry after a crash between them, completes once and grants
 * once; the grant is asked again each time, which is what makes the retry finish the work. A Stars
 * subscription's renewal is another charge of the same payment (same payload): recorded on its stream
 * as a renewal, granted once under its own charge id, so each period extends the subscription once.
 */
@Injectable()
export class CompletePaymentUseCase {
  constructor(
    private readonly payments: PaymentCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly clock: Clock,
  ) {}

  async execute(input: CompletePaymentInput): Promise<CompletedPayment> {
    const before = await this.payments.state(input.paymentId);
    // Another bot's or member's payment id in a payload is no payment of theirs.
    if (before.status === 'none' || before.botId !== input.botId || before.telegramUserId !== input.telegramUserId) {
      throw new PaymentNotFoundError(input.paymentId);
    }
    const result = await this.payments.handle(
      {
        type: 'CompletePayment',
        paymentId: input.paymentId,
        chargeId: input.chargeId,
        currency: input.currency,
        amount: input.totalAmount,
        ...(input.subscriptionExpirationDate ? { subscriptionExpiresAt: new Date(Number(input.subscriptionExpirationDate) * 1000).toISOString() } : {}),
        now: this.clock.now().toISOString(),
      },
      { botId: input.botId, actor: { kind: 'user', id: `telegram:${input.telegramUserId}` } },
    );
    const payment = result.state;
    if (payment.status === 'none') throw new PaymentNotFoundError(input.paymentId);
    // The same charge again after a refund: what it bought was revoked and is not given back.
    if (payment.status === 'refunded') throw new PaymentAlreadyRefundedError(input.paymentId);
    const grant = await this.subscriptions.grant({
      grantId: input.grantId ?? defaultGrantId(payment.provider, input.chargeId),
      botId: payment.botId,
      telegramUserId: payment.telegramUserId,
      planId: payment.planId,
      // Telegram renews a Stars subscription itself: subscriptions tries no wallet renewal of its period.
      ...(payment.subscriptionPeriod !== null ? { starsSubscription: true } : {}),
    });
    return {
      paymentId: payment.paymentId,
      planId: payment.planId,
      subscription: grant.subscription,
      granted: grant.changed,
      renewal: payment.renewalChargeIds.includes(input.chargeId),
    };
  }
}
