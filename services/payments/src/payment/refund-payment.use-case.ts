import type { PaymentViewJson } from '@botplatform/contracts';
import { PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { GatewayClient } from '../shared/gateway.client.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { WalletCommands } from '../wallet/wallet-commands.js';
import { PaymentCommands } from './payment-commands.js';
import { paymentDecider, type PaymentState } from './payment.decider.js';
import { PaymentNotFoundError, PaymentNotRefundableError, RefundRefusedError } from './payment.errors.js';

export interface RefundPaymentInput {
  readonly botId: string;
  readonly paymentId: string;
  readonly reason: string;
  readonly refundedBy: string;
}

/**
 * An admin gives a member's Stars back: the decider checks first that the payment is completed and not
 * refunded (a second refund is PAYMENTS.ALREADY_REFUNDED before Telegram is asked), the gateway refunds
 * the charge (`refundStarPayment`), the refund is recorded, and the access it bought is revoked (reason
 * "refund"). Only the request that appends the refund revokes, so two racing refunds revoke once: the
 * other's append is refused with the same typed error.
 *
 * A payment from the wallet is given back to the wallet instead of Telegram: the refund and the wallet's
 * refund entry (request id "refund:<payment id>") commit in one transaction, so the amount returns once.
 */
@Injectable()
export class RefundPaymentUseCase {
  constructor(
    private readonly payments: PaymentCommands,
    private readonly gateway: GatewayClient,
    private readonly subscriptions: SubscriptionsClient,
    private readonly clock: Clock,
    private readonly wallet: WalletCommands,
    private readonly store: PostgresEventStore,
  ) {}

  async execute(input: RefundPaymentInput): Promise<PaymentViewJson> {
    const payment = await this.payments.state(input.paymentId);
    if (payment.status === 'none' || payment.botId !== input.botId) throw new PaymentNotFoundError(input.paymentId);
    const command = {
      type: 'RefundPayment',
      paymentId: input.paymentId,
      reason: input.reason,
      refundedBy: input.refundedBy,
      now: this.clock.now().toISOString(),
    } as const;
    // Refused here, without a word to Telegram, when it is not refundable.
    paymentDecider.decide(command, payment);
    if (payment.provider === 'wallet') return this.refundToWallet(payment, command, input);
    // Only Stars are given back through Telegram; a fiat or Crypto Pay payment is refunded by its provider (src/providers/).
    if (payment.currency !== 'XTR') throw new PaymentNotRefundableError(input.paymentId, `paid in ${payment.currency}, not in Stars`);

    const refund = await this.gateway.refundStarPayment({ botId: payment.botId, telegramUserId: payment.telegramUserId, chargeId: payment.chargeId ?? '' });
    // Telegram says it was refunded already (a retry after a crash, or a racing refund): recorded below if
    // not yet; the append of the one that records it second refuses, so access is revoked once.
    if (refund.refused && refund.refused !== 'GATEWAY.CHARGE_ALREADY_REFUNDED') throw new RefundRefusedError(input.paymentId, refund.refused);

    const result = await this.payments.handle(command, { botId: payment.botId, actor: { kind: 'admin', id: input.refundedBy } });
    await this.subscriptions.revoke({ botId: payment.botId, telegramUserId: payment.telegramUserId, reason: 'refund', revokedBy: input.refundedBy });
    return paymentView(result.state);
  }

  private async refundToWallet(
    payment: Exclude<PaymentState, { status: 'none' }>,
    command: Parameters<PaymentCommands['handle']>[0],
    input: RefundPaymentInput,
  ): Promise<PaymentViewJson> {
    const actor = { kind: 'admin', id: input.refundedBy } as const;
    const result = await this.store.transaction(async (em) => {
      const refunded = await this.payments.handle(command, { botId: payment.botId, actor }, { em });
      await this.wallet.record(
        {
          type: 'RecordWalletEntry',
          botId: payment.botId,
          telegramUserId: payment.telegramUserId,
          currency: payment.currency,
          kind: 'refund',
          entryId: `refund:${payment.paymentId}`,
          amount: payment.amount,
          by: input.refundedBy,
          reason: input.reason,
          reference: payment.paymentId,
          now: command.now,
        },
        actor,
        { em },
      );
      return refunded;
    });
    await this.subscriptions.revoke({ botId: payment.botId, telegramUserId: payment.telegramUserId, reason: 'refund', revokedBy: input.refundedBy });
    return paymentView(result.state);
  }
}

const STATUSES = {
  pending: 'PAYMENT_STATUS_PENDING',
  completed: 'PAYMENT_STATUS_COMPLETED',
  failed: 'PAYMENT_STATUS_FAILED',
  cancelled: 'PAYMENT_STATUS_CANCELLED',
  refunded: 'PAYMENT_STATUS_REFUNDED',
} as const;

export function paymentView(state: PaymentState): PaymentViewJson {
  if (state.status === 'none') return {};
  return {
    paymentId: state.paymentId,
    botId: state.botId,
    telegramUserId: state.telegramUserId,
    planId: state.planId,
    currency: state.currency,
    amount: state.amount,
    status: STATUSES[state.status],
    provider: state.provider,
    ...(state.chargeId ? { chargeId: state.chargeId } : {}),
  };
}
