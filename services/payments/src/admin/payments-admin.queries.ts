import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CardTransfer } from '../cards/card-transfer.entity.js';
import { Payment } from '../payment/payment.entity.js';

/** One page of a list, and whether another follows. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly more: boolean;
}

/** A card transfer whose receipt waits for an admin, with what it pays. */
export interface TransferInReview {
  readonly transfer: CardTransfer;
  readonly payment: Payment | undefined;
}

/**
 * What the admin screens read from the payments service's read models: a member's payments newest
 * first, and the card transfers whose receipts wait for review, oldest first (the one waiting longest
 * on top). Pages are `size` rows after `page * size`; one more row is read to know whether a next page exists.
 */
@Injectable()
export class PaymentsAdminQueries {
  constructor(private readonly orm: MikroORM) {}

  /** The member's payments, and which of them are card transfers (their provider is not on the payment). */
  async paymentsOf(botId: string, telegramUserId: string, page: number, size: number): Promise<Page<Payment> & { cardTransfers: ReadonlySet<string> }> {
    const em = this.orm.em.fork();
    const rows = await em.find(
      Payment,
      { botId, telegramUserId },
      { orderBy: [{ createdAt: 'desc' }, { paymentId: 'asc' }], limit: size + 1, offset: page * size },
    );
    const items = rows.slice(0, size);
    const cards = items.length === 0 ? [] : await em.find(CardTransfer, { paymentId: { $in: items.map((row) => row.paymentId) } }, { fields: ['paymentId'] });
    return { items, more: rows.length > size, cardTransfers: new Set(cards.map((card) => card.paymentId)) };
  }

  async transfersInReview(botId: string, page: number, size: number): Promise<Page<TransferInReview>> {
    const em = this.orm.em.fork();
    const rows = await em.find(
      CardTransfer,
      { botId, status: 'in_review' },
      { orderBy: [{ updatedAt: 'asc' }, { trackingNumber: 'asc' }], limit: size + 1, offset: page * size },
    );
    const items = rows.slice(0, size);
    const payments = items.length === 0 ? [] : await em.find(Payment, { paymentId: { $in: items.map((row) => row.paymentId) } });
    const byId = new Map(payments.map((payment) => [payment.paymentId, payment]));
    return { items: items.map((transfer) => ({ transfer, payment: byId.get(transfer.paymentId) })), more: rows.length > size };
  }
}
