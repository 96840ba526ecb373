import { DeciderSpecification } from '@botplatform/event-store';
import {
  paymentDecider,
  type CompletePayment,
  type CreatePayment,
  type PaymentCompleted,
  type PaymentCreated,
  type PaymentFailed,
  type PaymentRefunded,
  type PaymentRenewed,
  type RefundPayment,
  type StarSubscriptionStateNoted,
} from './payment.decider.js';
import {
  PaymentAlreadyExistsError,
  PaymentAlreadyPaidError,
  PaymentAlreadyRefundedError,
  PaymentAmountMismatchError,
  PaymentNotFoundError,
  PaymentNotPendingError,
  PaymentNotRecurringError,
  PaymentNotRefundableError,
  RecurringPeriodInvalidError,
} from './payment.errors.js';

const paymentId = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const botId = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const planId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
// Above 2^53: an int64 of minor units must survive exactly.
const HUGE = '9007199254740993';

const create: CreatePayment = {
  type: 'CreatePayment',
  paymentId,
  botId,
  telegramUserId: '42',
  planId,
  currency: 'XTR',
  amount: '250',
  now: '2026-11-30T10:00:00.000Z',
};
const created: PaymentCreated = {
  type: 'PaymentCreated',
  data: { paymentId, botId, telegramUserId: '42', planId, currency: 'XTR', amount: '250', createdAt: '2026-11-30T10:00:00.000Z' },
};
const complete: CompletePayment = {
  type: 'CompletePayment',
  paymentId,
  chargeId: 'stxCHARGE1',
  currency: 'XTR',
  amount: '250',
  now: '2026-11-30T10:01:00.000Z',
};
const completed: PaymentCompleted = {
  type: 'PaymentCompleted',
  data: { paymentId, botId, telegramUserId: '42', planId, currency: 'XTR', amount: '250', chargeId: 'stxCHARGE1', completedAt: '2026-11-30T10:01:00.000Z' },
};
const failed: PaymentFailed = {
  type: 'PaymentFailed',
  data: { paymentId, botId, telegramUserId: '42', reason: 'plan_archived', failedAt: '2026-11-30T10:00:30.000Z' },
};
const refund: RefundPayment = { type: 'RefundPayment', paymentId, reason: 'asked by the member', refundedBy: 'telegram:7', now: '2026-11-30T11:00:00.000Z' };
const refunded: PaymentRefunded = {
  type: 'PaymentRefunded',
  data: {
    paymentId,
    botId,
    telegramUserId: '42',
    planId,
    currency: 'XTR',
    amount: '250',
    chargeId: 'stxCHARGE1',
    reason: 'asked by the member',
    refundedBy: 'telegram:7',
    refundedAt: '2026-11-30T11:00:00.000Z',
  },
};

describe('Payment', () => {
  const spec = DeciderSpecification.for(paymentDecider);

  describe('when it does not exist yet', () => {
    it('is created pending with what it buys and its exact price', () => {
      spec.given([]).when(create).then([created]);
    });

    it('keeps an int64 amount above 2^53 exactly', () => {
      spec
        .given([])
        .when({ ...create, amount: HUGE })
        .then([{ ...created, data: { ...created.data, amount: HUGE } }]);
    });

    it('cannot be completed or refunded: PAYMENTS.PAYMENT_NOT_FOUND', () => {
      spec.given([]).when(complete).thenThrows(PaymentNotFoundError);
      spec.given([]).when(refund).thenThrows(PaymentNotFoundError);
    });
  });

  describe('when it is pending', () => {
    it('refuses a second creation', () => {
      spec.given([created]).when(create).thenThrows(PaymentAlreadyExistsError);
    });

    it("is completed by Telegram's charge, the charge id kept", () => {
      spec.given([created]).when(complete).then([completed]);
    });

    it('refuses a charge of another amount or currency: PAYMENTS.AMOUNT_MISMATCH', () => {
      spec
        .given([created])
        .when({ ...complete, amount: '249' })
        .thenThrows(PaymentAmountMismatchError, (error) => expect((error as PaymentAmountMismatchError).code).toBe('PAYMENTS.AMOUNT_MISMATCH'));
      spec
        .given([created])
        .when({ ...complete, currency: 'USD' })
        .thenThrows(PaymentAmountMismatchError);
    });

    it('compares amounts as integers, not as floats', () => {
      spec
        .given([{ ...created, data: { ...created.data, amount: HUGE } }])
        .when({ ...complete, amount: '9007199254740992' })
        .thenThrows(PaymentAmountMismatchError);
    });

    it('fails once (a second failure changes nothing), and cannot be refunded', () => {
      spec.given([created]).when({ type: 'FailPayment', paymentId, reason: 'plan_archived', now: failed.data.failedAt }).then([failed]);
      spec.given([created, failed]).when({ type: 'FailPayment', paymentId, reason: 'plan_archived', now: failed.data.failedAt }).then([]);
      spec.given([created]).when(refund).thenThrows(PaymentNotRefundableError);
    });

    it('is cancelled; a cancelled order is not completed', () => {
      const cancel = { type: 'CancelPayment', paymentId, cancelledBy: 'telegram:42', now: '2026-11-30T10:00:10.000Z' } as const;
      spec
        .given([created])
        .when(cancel)
        .then([{ type: 'PaymentCancelled', data: { paymentId, botId, telegramUserId: '42', cancelledBy: 'telegram:42', cancelledAt: cancel.now } }]);
      spec
        .given([created, { type: 'PaymentCancelled', data: { paymentId, botId, telegramUserId: '42', cancelledBy: 'telegram:42', cancelledAt: cancel.now } }])
        .when(complete)
        .thenThrows(PaymentNotPendingError);
    });
  });

  describe('when it is completed', () => {
    it('decides nothing for the same charge again (a duplicated successful_payment)', () => {
      spec.given([created, completed]).when(complete).then([]);
    });

    it('refuses another charge: PAYMENTS.ALREADY_PAID', () => {
      spec
        .given([created, completed])
        .when({ ...complete, chargeId: 'stxCHARGE2' })
        .thenThrows(PaymentAlreadyPaidError);
    });

    it('cannot fail any more', () => {
      spec.given([created, completed]).when({ type: 'FailPayment', paymentId, reason: 'late', now: refund.now }).thenThrows(PaymentNotPendingError);
    });

    it('is refunded with its charge, a reason and who did it', () => {
      spec.given([created, completed]).when(refund).then([refunded]);
    });
  });

  describe('when it is refunded', () => {
    it('refuses a second refund: PAYMENTS.ALREADY_REFUNDED', () => {
      spec
        .given([created, completed, refunded])
        .when(refund)
        .thenThrows(PaymentAlreadyRefundedError, (error) => expect((error as PaymentAlreadyRefundedError).code).toBe('PAYMENTS.ALREADY_REFUNDED'));
    });

    it('decides nothing for its charge again', () => {
      spec.given([created, completed, refunded]).when(complete).then([]);
    });
  });

  describe('as a Stars subscription (recurring)', () => {
    const subscribe: CreatePayment = { ...create, subscriptionPeriod: 2_592_000 };
    const subscribed: PaymentCreated = { ...created, data: { ...created.data, subscriptionPeriod: 2_592_000 } };
    const first: PaymentCompleted = { ...completed, data: { ...completed.data, subscriptionExpiresAt: '2026-12-30T10:01:00.000Z' } };
    const renew: CompletePayment = { ...complete, chargeId: 'stxCHARGE2', subscriptionExpiresAt: '2027-01-29T10:01:00.000Z', now: '2026-12-30T10:01:00.000Z' };
    const renewed: PaymentRenewed = {
      type: 'PaymentRenewed',
      data: {
        paymentId,
        botId,
        telegramUserId: '42',
        planId,
        currency: 'XTR',
        amount: '250',
        chargeId: 'stxCHARGE2',
        subscriptionExpiresAt: '2027-01-29T10:01:00.000Z',
        renewedAt: '2026-12-30T10:01:00.000Z',
      },
    };

    it('is created with the 30-day period only, in XTR: PAYMENTS.RECURRING_PERIOD_INVALID otherwise', () => {
      spec.given([]).when(subscribe).then([subscribed]);
      spec
        .given([])
        .when({ ...subscribe, subscriptionPeriod: 604_800 })
        .thenThrows(RecurringPeriodInvalidError, (error) => expect((error as RecurringPeriodInvalidError).code).toBe('PAYMENTS.RECURRING_PERIOD_INVALID'));
      spec
        .given([])
        .when({ ...subscribe, currency: 'USD' })
        .thenThrows(RecurringPeriodInvalidError);
    });

    it('records each later charge as a renewal, once per charge', () => {
      spec
        .given([subscribed, first])
        .when({ ...complete, subscriptionExpiresAt: first.data.subscriptionExpiresAt })
        .then([]);
      spec.given([subscribed, first]).when(renew).then([renewed]);
      spec.given([subscribed, first, renewed]).when(renew).then([]);
      spec
        .given([subscribed, first, renewed])
        .when({ ...renew, chargeId: 'stxCHARGE3' })
        .then([{ ...renewed, data: { ...renewed.data, chargeId: 'stxCHARGE3' } }]);
    });

    it('refuses a renewal of another amount', () => {
      spec
        .given([subscribed, first])
        .when({ ...renew, amount: '1' })
        .thenThrows(PaymentAmountMismatchError);
    });

    it("notes Telegram's subscription state once per change", () => {
      const cancelled: StarSubscriptionStateNoted = {
        type: 'StarSubscriptionStateNoted',
        data: { paymentId, botId, telegramUserId: '42', state: 'canceled', notedAt: refund.now },
      };
      const note = { type: 'NoteStarSubscriptionState', paymentId, state: 'canceled', now: refund.now } as const;
      spec.given([subscribed, first]).when(note).then([cancelled]);
      spec.given([subscribed, first, cancelled]).when(note).then([]);
      spec
        .given([subscribed, first])
        .when({ ...note, state: 'active' })
        .then([]);
      spec
        .given([subscribed, first, cancelled])
        .when({ ...note, state: 'active' })
        .then([{ ...cancelled, data: { ...cancelled.data, state: 'active' } }]);
    });

    it('is no subscription when one-off or unpaid: PAYMENTS.NOT_RECURRING', () => {
      const note = { type: 'NoteStarSubscriptionState', paymentId, state: 'canceled', now: refund.now } as const;
      spec.given([created, completed]).when(note).thenThrows(PaymentNotRecurringError);
      spec.given([subscribed]).when(note).thenThrows(PaymentNotRecurringError);
    });
  });

  describe('through another provider', () => {
    it('records the provider that takes the money on the creation and the completion (Stars stays implicit)', () => {
      for (const provider of ['telegram-fiat', 'crypto-pay', 'card'] as const) {
        const providerCreated: PaymentCreated = { type: 'PaymentCreated', data: { ...created.data, provider } };
        spec
          .given([])
          .when({ ...create, provider })
          .then([providerCreated]);
        spec
          .given([providerCreated])
          .when(complete)
          .then([{ type: 'PaymentCompleted', data: { ...completed.data, provider } }]);
      }
      spec
        .given([])
        .when({ ...create, provider: 'stars' })
        .then([created]);
    });
  });

  describe('from the wallet, with a promo discount', () => {
    const walletCreate: CreatePayment = { ...create, amount: '200', provider: 'wallet', listAmount: '250', discountId: 'promo:b:TWENTY:1' };
    const walletCreated: PaymentCreated = {
      type: 'PaymentCreated',
      data: { ...created.data, amount: '200', provider: 'wallet', listAmount: '250', discountId: 'promo:b:TWENTY:1' },
    };

    it('records its provider, its price before the discount and the discount it uses', () => {
      spec.given([]).when(walletCreate).then([walletCreated]);
    });

    it('completes with the provider and the discount, so the discount is spent with the completion', () => {
      spec
        .given([walletCreated])
        .when({ ...complete, chargeId: `wallet:${paymentId}`, amount: '200' })
        .then([
          {
            type: 'PaymentCompleted',
            data: { ...completed.data, amount: '200', chargeId: `wallet:${paymentId}`, provider: 'wallet', discountId: 'promo:b:TWENTY:1' },
          },
        ]);
    });

    it('refuses a wallet payment or a discount on a recurring Stars subscription', () => {
      spec
        .given([])
        .when({ ...walletCreate, subscriptionPeriod: 2_592_000, currency: 'XTR' })
        .thenThrows(RecurringPeriodInvalidError);
      spec
        .given([])
        .when({ ...create, subscriptionPeriod: 2_592_000, discountId: 'promo:b:TWENTY:1' })
        .thenThrows(RecurringPeriodInvalidError);
    });
  });
});
