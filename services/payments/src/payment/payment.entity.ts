import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { PaymentProvider, PaymentStatus } from './payment.decider.js';

/** One payment, projected from its `payment-<id>` stream by payments.projection.ts. */
@Entity({ tableName: 'payments' })
export class Payment {
  @PrimaryKey({ type: 'uuid' })
  paymentId: string;

  @Property({ type: 'uuid' })
  botId: string;

  @Property({ type: 'bigint', columnType: 'bigint' })
  telegramUserId: string;

  @Property({ type: 'uuid' })
  planId: string;

  @Property({ type: 'text' })
  currency: string;

  /** int64 minor units, kept as a decimal string so no amount passes through a float. */
  @Property({ type: 'bigint', columnType: 'bigint' })
  amount: string;

  @Property({ type: 'text' })
  status: PaymentStatus;

  /** "stars", "wallet", "telegram-fiat", "crypto-pay" or "card". */
  @Property({ type: 'text' })
  provider: PaymentProvider;

  /** Telegram's charge id once paid; unique, so one charge pays one payment. */
  @Property({ type: 'text', nullable: true })
  chargeId: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
