import type { Decider, DomainEvent } from '@botplatform/event-store';
import {
  PaymentAlreadyExistsError,
  PaymentAlreadyPaidError,
  PaymentAlreadyRefundedError,
  PaymentAmountMismatchError,
  PaymentNotFoundError,
  PaymentNotPendingError,
  PaymentNotRefundableError,
} from './payment.errors.js';

/** Amounts are decimal strings of int64 minor units (Stars for XTR): exact, never floats. */
export type MinorUnits = string;

export interface CreatePayment {
  readonly type: 'CreatePayment';
  readonly paymentId: string;
  readonly botId: string;
  readonly telegramUserId: string;
  readonly planId: string;
  readonly currency: string;
  readonly amount: MinorUnits;
  /** ISO time of the command: the decider reads no clock. */
  readonly now: string;
}

/** Telegram charged the member (`successful_payment`). */
export interface CompletePayment {
  readonly type: 'CompletePayment';
  readonly paymentId: string;
  /** `telegram_payment_charge_id`: the idempotency key. */
  readonly chargeId: string;
  readonly currency: string;
  readonly amount: MinorUnits;
  readonly now: string;
}

/** The order can no longer be paid as it was made (its plan or price changed), found at the checkout. */
export interface FailPayment {
  readonly type: 'FailPayment';
  readonly paymentId: string;
  readonly reason: string;
  readonly now: string;
}

export interface CancelPayment {
  readonly type: 'CancelPayment';
  readonly paymentId: string;
  readonly cancelledBy: string;
  readonly now: string;
}

export interface RefundPayment {
  readonly type: 'RefundPayment';
  readonly paymentId: string;
  readonly reason: string;
  readonly refundedBy: string;
  readonly now: string;
}

export type PaymentCommand = CreatePayment | CompletePayment | FailPayment | CancelPayment | RefundPayment;

interface PaymentData {
  paymentId: string;
  botId: string;
  telegramUserId: string;
  planId: string;
  currency: string;
  amount: MinorUnits;
}

export type PaymentCreated = DomainEvent<'PaymentCreated', PaymentData & { createdAt: string }>;
export type PaymentCompleted = DomainEvent<'PaymentCompleted', PaymentData & { chargeId: string; completedAt: string }>;
export type PaymentFailed = DomainEvent<'PaymentFailed', { paymentId: string; botId: string; telegramUserId: string; reason: string; failedAt: string }>;
export type PaymentCancelled = DomainEvent<
  'PaymentCancelled',
  { paymentId: string; botId: string; telegramUserId: string; cancelledBy: string; cancelledAt: string }
>;
export type PaymentRefunded = DomainEvent<'PaymentRefunded', PaymentData & { chargeId: string; reason: string; refundedBy: string; refundedAt: string }>;

export type PaymentEvent = PaymentCreated | PaymentCompleted | PaymentFailed | PaymentCancelled | PaymentRefunded;

/** The event types of this decider, for projections that see every event of the store. */
export const PAYMENT_EVENT_TYPES = [
  'PaymentCreated',
  'PaymentCompleted',
  'PaymentFailed',
  'PaymentCancelled',
  'PaymentRefunded',
] as const satisfies readonly PaymentEvent['type'][];

export type PaymentStatus = 'pending' | 'completed' | 'failed' | 'cancelled' | 'refunded';

export type PaymentState =
  | { readonly status: 'none' }
  | (PaymentData & { readonly status: PaymentStatus; readonly chargeId: string | null; readonly createdAt: string });

/**
 * One purchase: created (an invoice was issued) → completed by exactly one charge → refunded once; or
 * failed / cancelled before it was paid. The charge id makes completion idempotent: the same charge
 * again decides nothing, another charge is refused.
 */
export const paymentDecider: Decider<PaymentState, PaymentCommand, PaymentEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'PaymentCreated': {
        const { createdAt, ...data } = event.data;
        return { ...data, status: 'pending', chargeId: null, createdAt };
      }
      case 'PaymentCompleted':
        return state.status === 'none' ? state : { ...state, status: 'completed', chargeId: event.data.chargeId };
      case 'PaymentFailed':
        return state.status === 'none' ? state : { ...state, status: 'failed' };
      case 'PaymentCancelled':
        return state.status === 'none' ? state : { ...state, status: 'cancelled' };
      case 'PaymentRefunded':
        return state.status === 'none' ? state : { ...state, status: 'refunded' };
    }
  },

  decide: (command, state) => {
    if (command.type === 'CreatePayment') {
      if (state.status !== 'none') throw new PaymentAlreadyExistsError(command.paymentId);
      const { type: _type, now, ...data } = command;
      return [{ type: 'PaymentCreated', data: { ...data, createdAt: now } }];
    }
    if (state.status === 'none') throw new PaymentNotFoundError(command.paymentId);
    const data: PaymentData = {
      paymentId: state.paymentId,
      botId: state.botId,
      telegramUserId: state.telegramUserId,
      planId: state.planId,
      currency: state.currency,
      amount: state.amount,
    };
    const member = { paymentId: state.paymentId, botId: state.botId, telegramUserId: state.telegramUserId };
    switch (command.type) {
      case 'CompletePayment': {
        // A redelivered successful_payment: the same charge completed it already (or was since refunded).
        if (state.chargeId === command.chargeId) return [];
        if (state.chargeId !== null) throw new PaymentAlreadyPaidError(command.paymentId);
        if (command.currency !== state.currency || BigInt(command.amount) !== BigInt(state.amount)) throw new PaymentAmountMismatchError(command.paymentId);
        // Telegram charged after our checkout said yes: the money is taken, so a failure noted since
        // (an archive that raced the checkout) does not undo it; only a cancelled order refuses.
        if (state.status !== 'pending' && state.status !== 'failed') throw new PaymentNotPendingError(command.paymentId, state.status);
        return [{ type: 'PaymentCompleted', data: { ...data, chargeId: command.chargeId, completedAt: command.now } }];
      }
      case 'FailPayment':
        if (state.status === 'failed') return [];
        if (state.status !== 'pending') throw new PaymentNotPendingError(command.paymentId, state.status);
        return [{ type: 'PaymentFailed', data: { ...member, reason: command.reason, failedAt: command.now } }];
      case 'CancelPayment':
        if (state.status === 'cancelled') return [];
        if (state.status !== 'pending') throw new PaymentNotPendingError(command.paymentId, state.status);
        return [{ type: 'PaymentCancelled', data: { ...member, cancelledBy: command.cancelledBy, cancelledAt: command.now } }];
      case 'RefundPayment':
        if (state.status === 'refunded') throw new PaymentAlreadyRefundedError(command.paymentId);
        if (state.status !== 'completed' || state.chargeId === null) throw new PaymentNotRefundableError(command.paymentId, state.status);
        return [
          {
            type: 'PaymentRefunded',
            data: { ...data, chargeId: state.chargeId, reason: command.reason, refundedBy: command.refundedBy, refundedAt: command.now },
          },
        ];
    }
  },
};

/** The stream of one payment. */
export const paymentStreamId = (paymentId: string): string => `payment-${paymentId}`;
