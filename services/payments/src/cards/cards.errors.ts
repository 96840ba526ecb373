import { PaymentsError } from '../payments.errors.js';

/** A card number is 12 to 19 digits (spaces and dashes dropped). */
export class CardNumberInvalidError extends PaymentsError {
  readonly code = 'PAYMENTS.CARD_NUMBER_INVALID';
  constructor() {
    super('a card number is 12 to 19 digits');
  }
}

/** A card's holder, bank, currency or weight is out of bounds (the message says which). */
export class CardInvalidError extends PaymentsError {
  readonly code = 'PAYMENTS.CARD_INVALID';
}

/** The bot has this card number already. */
export class CardAlreadyAddedError extends PaymentsError {
  readonly code = 'PAYMENTS.CARD_ALREADY_ADDED';
  constructor(readonly cardId: string) {
    super(`the bot has this card already (${cardId})`);
  }
}

/** No such card in this bot. */
export class CardNotFoundError extends PaymentsError {
  readonly code = 'PAYMENTS.CARD_NOT_FOUND';
  constructor(readonly cardId: string) {
    super(`no card ${cardId} in this bot`);
  }
}

/** No active card of the bot takes any of the plan's currencies: card transfer is not offered. */
export class NoActiveCardError extends PaymentsError {
  readonly code = 'PAYMENTS.NO_ACTIVE_CARD';
  constructor(readonly currencies: readonly string[]) {
    super(`no active card in ${currencies.join(', ') || 'no currency'}`);
  }
}

/** No card transfer with this payment id in this bot. */
export class TransferNotFoundError extends PaymentsError {
  readonly code = 'PAYMENTS.TRANSFER_NOT_FOUND';
  constructor(readonly paymentId: string) {
    super(`no card transfer ${paymentId}`);
  }
}

/** The transfer has its receipt already (under review, approved or rejected): a second one changes nothing. */
export class ReceiptNotAwaitedError extends PaymentsError {
  readonly code = 'PAYMENTS.RECEIPT_NOT_AWAITED';
  constructor(
    readonly paymentId: string,
    readonly status: string,
  ) {
    super(`card transfer ${paymentId} is ${status}: it awaits no receipt`);
  }
}

/** Approve or reject before the member sent a receipt. */
export class ReceiptMissingError extends PaymentsError {
  readonly code = 'PAYMENTS.RECEIPT_MISSING';
  constructor(readonly paymentId: string) {
    super(`card transfer ${paymentId} has no receipt to review yet`);
  }
}

/** The transfer was decided the other way already (approve after reject, reject after approve). */
export class TransferAlreadyReviewedError extends PaymentsError {
  readonly code = 'PAYMENTS.TRANSFER_ALREADY_REVIEWED';
  constructor(
    readonly paymentId: string,
    readonly status: string,
  ) {
    super(`card transfer ${paymentId} was ${status} already`);
  }
}

/** Only the bot's admins review receipts. */
export class NotAnAdminError extends PaymentsError {
  readonly code = 'PAYMENTS.NOT_AN_ADMIN';
  constructor() {
    super("only the bot's admins review receipts");
  }
}
