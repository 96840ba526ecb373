import { PaymentsError } from '../payments.errors.js';

/** A payment with this id exists already: ids are chosen once per order. */
export class PaymentAlreadyExistsError extends PaymentsError {
  readonly code = 'PAYMENTS.PAYMENT_ALREADY_EXISTS';
  constructor(readonly paymentId: string) {
    super(`payment ${paymentId} exists already`);
  }
}

/** No such payment in this bot (another bot's payment is not found either). */
export class PaymentNotFoundError extends PaymentsError {
  readonly code = 'PAYMENTS.PAYMENT_NOT_FOUND';
  constructor(readonly paymentId: string) {
    super(`no payment ${paymentId}`);
  }
}

/** The payment is not waiting for money any more (completed, failed, cancelled or refunded). */
export class PaymentNotPendingError extends PaymentsError {
  readonly code = 'PAYMENTS.NOT_PENDING';
  constructor(
    readonly paymentId: string,
    readonly status: string,
  ) {
    super(`payment ${paymentId} is ${status}, not pending`);
  }
}

/** A second, different charge for a payment already completed by another one. */
export class PaymentAlreadyPaidError extends PaymentsError {
  readonly code = 'PAYMENTS.ALREADY_PAID';
  constructor(readonly paymentId: string) {
    super(`payment ${paymentId} was paid by another charge`);
  }
}

/** The charge is not for the amount and currency the payment asked. */
export class PaymentAmountMismatchError extends PaymentsError {
  readonly code = 'PAYMENTS.AMOUNT_MISMATCH';
  constructor(readonly paymentId: string) {
    super(`the charge for payment ${paymentId} is not of its amount and currency`);
  }
}

/** A second refund of the same payment: Telegram gives the money back once, access is revoked once. */
export class PaymentAlreadyRefundedError extends PaymentsError {
  readonly code = 'PAYMENTS.ALREADY_REFUNDED';
  constructor(readonly paymentId: string) {
    super(`payment ${paymentId} was refunded already`);
  }
}

/** Only a completed payment can be refunded. */
export class PaymentNotRefundableError extends PaymentsError {
  readonly code = 'PAYMENTS.NOT_REFUNDABLE';
  constructor(
    readonly paymentId: string,
    readonly status: string,
  ) {
    super(`payment ${paymentId} is ${status}: only a completed payment can be refunded`);
  }
}

/** The plan cannot be bought: unknown, archived, not on sale, or without a Stars price. */
export class PlanNotForSaleError extends PaymentsError {
  readonly code = 'PAYMENTS.PLAN_NOT_FOR_SALE';
  constructor(readonly planId: string) {
    super(`plan ${planId} is not for sale in Telegram Stars`);
  }
}

/** The promo discount the price was computed with was spent by another payment meanwhile: nothing was charged. */
export class DiscountSpentMeanwhileError extends PaymentsError {
  readonly code = 'PAYMENTS.PRICE_CHANGED';
  constructor(readonly paymentId: string) {
    super(`the discount priced into payment ${paymentId} was used by another payment; ask again for the current price`);
  }
}

/** Subscriptions (plans, grants) or the gateway (refunds) did not answer: nothing was changed. */
export class DependencyUnavailableError extends PaymentsError {
  readonly code = 'PAYMENTS.DEPENDENCY_UNAVAILABLE';
}

/** Telegram refused the refund (the gateway's code in the message). */
export class RefundRefusedError extends PaymentsError {
  readonly code = 'PAYMENTS.REFUND_REFUSED';
  constructor(
    readonly paymentId: string,
    readonly reason: string,
  ) {
    super(`the refund of payment ${paymentId} was refused: ${reason}`);
  }
}

/** A recurring (Stars subscription) purchase asked for a period or currency Telegram does not allow: only 30 days, in XTR. */
export class RecurringPeriodInvalidError extends PaymentsError {
  readonly code = 'PAYMENTS.RECURRING_PERIOD_INVALID';
  constructor(
    readonly paymentId: string,
    readonly subscriptionPeriod: number,
    readonly currency: string,
  ) {
    super(`payment ${paymentId}: a Stars subscription renews every 2592000 s in XTR, not every ${subscriptionPeriod} s in ${currency}`);
  }
}

/** A `subscription` update for a payment that is no paid Stars subscription. */
export class PaymentNotRecurringError extends PaymentsError {
  readonly code = 'PAYMENTS.NOT_RECURRING';
  constructor(readonly paymentId: string) {
    super(`payment ${paymentId} is no paid Stars subscription`);
  }
}

/** The member cancelled the Stars subscription in Telegram: only they can re-enable it, there. */
export class StarSubscriptionCanceledByMemberError extends PaymentsError {
  readonly code = 'PAYMENTS.CANCELED_BY_MEMBER';
  constructor(readonly paymentId: string) {
    super(`the member cancelled the Stars subscription of payment ${paymentId} in Telegram`);
  }
}
