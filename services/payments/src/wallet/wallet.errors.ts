import { PaymentsError } from '../payments.errors.js';

/** The balance does not cover the spend (or a downward adjustment would take it below zero). */
export class InsufficientBalanceError extends PaymentsError {
  readonly code = 'PAYMENTS.INSUFFICIENT_BALANCE';
  constructor(
    readonly currency: string,
    readonly balance: string,
    readonly requested: string,
  ) {
    super(`the wallet holds ${balance} ${currency}, ${requested} asked`);
  }
}

/** A request id already recorded for another entry (another kind, currency or amount). */
export class WalletRequestReusedError extends PaymentsError {
  readonly code = 'PAYMENTS.REQUEST_ID_REUSED';
  constructor(readonly entryId: string) {
    super(`request id ${entryId} was used for another wallet entry`);
  }
}

/** An amount that is not a positive integer of minor units (or zero for an adjustment). */
export class WalletAmountInvalidError extends PaymentsError {
  readonly code = 'PAYMENTS.AMOUNT_INVALID';
  constructor(readonly amount: string) {
    super(`amount ${amount} is not valid here`);
  }
}

/** An admin adjustment without a reason. */
export class WalletReasonMissingError extends PaymentsError {
  readonly code = 'PAYMENTS.REASON_REQUIRED';
  constructor() {
    super('an adjustment needs a reason');
  }
}
