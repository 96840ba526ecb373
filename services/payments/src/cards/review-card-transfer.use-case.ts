import { Injectable } from '@nestjs/common';
import { CompletePaymentUseCase, type CompletedPayment } from '../payment/complete-payment.use-case.js';
import { PaymentCommands } from '../payment/payment-commands.js';
import { Clock } from '../shared/clock.js';
import { CardTransferCommands } from './card-transfer-commands.js';
import type { CardTransferState } from './card-transfer.decider.js';
import { NotAnAdminError, ReceiptNotAwaitedError, TransferNotFoundError } from './cards.errors.js';

type OpenTransferState = Exclude<CardTransferState, { status: 'none' }>;

export interface Reviewer {
  readonly botId: string;
  readonly telegramUserId: string;
  /** From the member context the gateway read from users: never from the button's data. */
  readonly isAdmin: boolean;
}

/** The charge id a card transfer completes its payment with: one per payment, so completion and grant happen once. */
export const cardChargeId = (paymentId: string): string => `card-${paymentId}`;

/**
 * A bot's admin approves or rejects a member's receipt. Approve: the transfer is approved (locked stream:
 * two admins at once → one approval), then the existing completion path completes the payment with the
 * charge `card-<paymentId>` and has subscriptions grant it under that key, so a second approval, a retry
 * or a race completes once and grants once (`granted` is true only for the call whose grant changed
 * something: only it tells the member). Reject: the transfer is rejected with the reason and its payment
 * failed; nothing is granted.
 */
@Injectable()
export class ReviewCardTransferUseCase {
  constructor(
    private readonly transfers: CardTransferCommands,
    private readonly payments: PaymentCommands,
    private readonly complete: CompletePaymentUseCase,
    private readonly clock: Clock,
  ) {}

  /** The transfer of this bot, or a typed refusal. */
  async transfer(botId: string, paymentId: string): Promise<OpenTransferState> {
    const state = await this.transfers.state(paymentId);
    if (state.status === 'none' || state.botId !== botId) throw new TransferNotFoundError(paymentId);
    return state;
  }

  async approve(reviewer: Reviewer, paymentId: string): Promise<{ transfer: OpenTransferState; completed: CompletedPayment }> {
    if (!reviewer.isAdmin) throw new NotAnAdminError();
    const transfer = await this.transfer(reviewer.botId, paymentId);
    await this.transfers.handle(
      reviewer.botId,
      { type: 'ApproveTransfer', paymentId, reviewedBy: `telegram:${reviewer.telegramUserId}`, now: this.clock.now().toISOString() },
      { kind: 'admin', id: `telegram:${reviewer.telegramUserId}` },
    );
    const completed = await this.complete.execute({
      botId: transfer.botId,
      telegramUserId: transfer.telegramUserId,
      paymentId,
      chargeId: cardChargeId(paymentId),
      currency: transfer.currency,
      totalAmount: transfer.amount,
    });
    return { transfer, completed };
  }

  /** The transfer an admin may write a rejection reason for now (one with its receipt, under review). */
  async rejectable(reviewer: Reviewer, paymentId: string): Promise<OpenTransferState> {
    if (!reviewer.isAdmin) throw new NotAnAdminError();
    const transfer = await this.transfer(reviewer.botId, paymentId);
    if (transfer.status !== 'in_review') throw new ReceiptNotAwaitedError(paymentId, transfer.status);
    return transfer;
  }

  async reject(reviewer: Reviewer, paymentId: string, reason: string): Promise<{ transfer: OpenTransferState; rejected: boolean }> {
    if (!reviewer.isAdmin) throw new NotAnAdminError();
    await this.transfer(reviewer.botId, paymentId);
    const now = this.clock.now().toISOString();
    const actor = { kind: 'admin', id: `telegram:${reviewer.telegramUserId}` } as const;
    const result = await this.transfers.handle(
      reviewer.botId,
      { type: 'RejectTransfer', paymentId, reviewedBy: `telegram:${reviewer.telegramUserId}`, reason, now },
      actor,
    );
    await this.payments.handle({ type: 'FailPayment', paymentId, reason: 'card_transfer_rejected', now }, { botId: reviewer.botId, actor });
    return { transfer: result.state as OpenTransferState, rejected: result.newEvents.length > 0 };
  }
}
