import { PaymentsError } from '../payments.errors.js';

/** No such code in this bot (codes of other bots are not found either). */
export class PromoNotFoundError extends PaymentsError {
  readonly code = 'PAYMENTS.PROMO_NOT_FOUND';
  constructor(readonly promoCode: string) {
    super(`no promo code ${promoCode}`);
  }
}

export class PromoExistsError extends PaymentsError {
  readonly code = 'PAYMENTS.PROMO_EXISTS';
  constructor(readonly promoCode: string) {
    super(`promo code ${promoCode} exists already`);
  }
}

export class PromoExpiredError extends PaymentsError {
  readonly code = 'PAYMENTS.PROMO_EXPIRED';
  constructor(readonly promoCode: string) {
    super(`promo code ${promoCode} has expired`);
  }
}

export class PromoInactiveError extends PaymentsError {
  readonly code = 'PAYMENTS.PROMO_INACTIVE';
  constructor(readonly promoCode: string) {
    super(`promo code ${promoCode} is not active`);
  }
}

export class PromoUsedUpError extends PaymentsError {
  readonly code = 'PAYMENTS.PROMO_USED_UP';
  constructor(readonly promoCode: string) {
    super(`promo code ${promoCode} has no uses left`);
  }
}

/** A code redeemable once per member, redeemed by this member before. */
export class PromoAlreadyRedeemedError extends PaymentsError {
  readonly code = 'PAYMENTS.PROMO_ALREADY_REDEEMED';
  constructor(
    readonly promoCode: string,
    readonly telegramUserId: string,
  ) {
    super(`member ${telegramUserId} redeemed promo code ${promoCode} already`);
  }
}

/** A definition that cannot be a promo code (a malformed code, no reward, a bad amount or percentage…). */
export class PromoInvalidError extends PaymentsError {
  readonly code = 'PAYMENTS.PROMO_INVALID';
}
