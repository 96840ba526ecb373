import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { CardTransferCommands } from './card-transfer-commands.js';
import type { CardTransferState, ReceiptKind } from './card-transfer.decider.js';
import { TransferNotFoundError } from './cards.errors.js';

export interface SubmitReceiptInput {
  readonly botId: string;
  readonly telegramUserId: string;
  /** The transfer; the member's latest awaiting one when absent. */
  readonly paymentId?: string;
  readonly kind: ReceiptKind;
  readonly fileId?: string;
  readonly text?: string;
}

/** The member's receipt for their transfer: taken once (PAYMENTS.RECEIPT_NOT_AWAITED after), then the transfer is under review. */
@Injectable()
export class SubmitReceiptUseCase {
  constructor(
    private readonly transfers: CardTransferCommands,
    private readonly clock: Clock,
  ) {}

  /** The member's latest transfer that awaits a receipt. */
  awaiting(botId: string, telegramUserId: string): Promise<string | null> {
    return this.transfers.awaitingReceipt(botId, telegramUserId);
  }

  /** The member's latest transfer whose receipt is being reviewed. */
  inReview(botId: string, telegramUserId: string): Promise<string | null> {
    return this.transfers.awaitingReceipt(botId, telegramUserId, 'in_review');
  }

  async execute(input: SubmitReceiptInput): Promise<Exclude<CardTransferState, { status: 'none' }>> {
    const paymentId = input.paymentId ?? (await this.awaiting(input.botId, input.telegramUserId));
    if (!paymentId) throw new TransferNotFoundError('');
    const before = await this.transfers.state(paymentId);
    // Another member's or bot's transfer is none of theirs.
    if (before.status === 'none' || before.botId !== input.botId || before.telegramUserId !== input.telegramUserId) throw new TransferNotFoundError(paymentId);
    const result = await this.transfers.handle(
      input.botId,
      {
        type: 'SubmitReceipt',
        paymentId,
        kind: input.kind,
        ...(input.fileId ? { fileId: input.fileId } : {}),
        ...(input.text ? { text: input.text } : {}),
        now: this.clock.now().toISOString(),
      },
      { kind: 'user', id: `telegram:${input.telegramUserId}` },
    );
    return result.state as Exclude<CardTransferState, { status: 'none' }>;
  }
}
