import type { Decider, DomainEvent } from '@botplatform/event-store';
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

/** The only period Telegram allows for a Stars subscription (`subscription_period`): 30 days, in seconds. */
export const STARS_SUBSCRIPTION_PERIOD_SECONDS = 2_592_000;

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
  /** Seconds between charges of a Stars subscription (an invoice link); absent for a one-off purchase. */
  readonly subscriptionPeriod?: number;
  /** Who takes the money: Telegram Stars unless said (the member's wallet). */
  readonly provider?: PaymentProvider;
  /** The plan's price before a promo discount; `amount` is what is charged. */
  readonly listAmount?: MinorUnits;
  /** The promo redemption whose discount this payment uses (consumed when it completes). */
  readonly discountId?: string;
  /** ISO time of the command: the decider reads no clock. */
  readonly now: string;
}

/**
 * Telegram charged the member (`successful_payment`). On a recurring payment already completed, another
 * charge is a renewal of its Telegram subscription.
 */
export interface CompletePayment {
  readonly type: 'CompletePayment';
  readonly paymentId: string;
  /** `telegram_payment_charge_id`: the idempotency key. */
  readonly chargeId: string;
  readonly currency: string;
  readonly amount: MinorUnits;
  /** `subscription_expiration_date` as ISO time, for a recurring charge. */
  readonly subscriptionExpiresAt?: string;
  /**
   * The charge of a subscription period's renewal from the wallet (ADR 0019): subscriptions extends the
   * period itself under the renewal key, so payments has nothing to grant, and no grant check is scheduled.
   */
  readonly renewal?: boolean;
  readonly now: string;
}

/** Telegram's `subscription` update for the payment's Stars subscription (the member's own switch, or a failed renewal). */
export interface NoteStarSubscriptionState {
  readonly type: 'NoteStarSubscriptionState';
  readonly paymentId: string;
  readonly state: StarSubscriptionState;
  readonly now: string;
}

export type StarSubscriptionState = 'active' | 'canceled' | 'failed';

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

/**
 * Who takes the money: Telegram Stars (the default, absent from the events of a Stars payment), the
 * member's wallet in the bot, Telegram Payments with a provider token, Crypto Pay, or a card transfer.
 */
export type PaymentProvider = 'stars' | 'wallet' | 'telegram-fiat' | 'crypto-pay' | 'card';

/** The provider as the events keep it: absent for Stars (as older events were written). */
type StoredProvider = Exclude<PaymentProvider, 'stars'>;

export type PaymentCommand = CreatePayment | CompletePayment | NoteStarSubscriptionState | FailPayment | CancelPayment | RefundPayment;

interface PaymentData {
  paymentId: string;
  botId: string;
  telegramUserId: string;
  planId: string;
  currency: string;
  amount: MinorUnits;
}

export type PaymentCreated = DomainEvent<
  'PaymentCreated',
  PaymentData & { subscriptionPeriod?: number; provider?: StoredProvider; listAmount?: MinorUnits; discountId?: string; createdAt: string }
>;
export type PaymentCompleted = DomainEvent<
  'PaymentCompleted',
  PaymentData & { chargeId: string; subscriptionExpiresAt?: string; provider?: StoredProvider; discountId?: string; renewal?: boolean; completedAt: string }
>;
/** A later charge of the payment's Stars subscription (`is_recurring`): one event per charge. */
export type PaymentRenewed = DomainEvent<'PaymentRenewed', PaymentData & { chargeId: string; subscriptionExpiresAt?: string; renewedAt: string }>;
export type StarSubscriptionStateNoted = DomainEvent<
  'StarSubscriptionStateNoted',
  { paymentId: string; botId: string; telegramUserId: string; state: StarSubscriptionState; notedAt: string }
>;
export type PaymentFailed = DomainEvent<'PaymentFailed', { paymentId: string; botId: string; telegramUserId: string; reason: string; failedAt: string }>;
export type PaymentCancelled = DomainEvent<
  'PaymentCancelled',
  { paymentId: string; botId: string; telegramUserId: string; cancelledBy: string; cancelledAt: string }
>;
export type PaymentRefunded = DomainEvent<'PaymentRefunded', PaymentData & { chargeId: string; reason: string; refundedBy: string; refundedAt: string }>;

export type PaymentEvent = PaymentCreated | PaymentCompleted | PaymentRenewed | StarSubscriptionStateNoted | PaymentFailed | PaymentCancelled | PaymentRefunded;

/** The event types of this decider, for projections that see every event of the store. */
export const PAYMENT_EVENT_TYPES = [
  'PaymentCreated',
  'PaymentCompleted',
  'PaymentRenewed',
  'StarSubscriptionStateNoted',
  'PaymentFailed',
  'PaymentCancelled',
  'PaymentRefunded',
] as const satisfies readonly PaymentEvent['type'][];

export type PaymentStatus = 'pending' | 'completed' | 'failed' | 'cancelled' | 'refunded';

export type PaymentState =
  | { readonly status: 'none' }
  | (PaymentData & {
      readonly status: PaymentStatus;
      /** The first charge. */
      readonly chargeId: string | null;
      readonly createdAt: string;
      /** Set for a Stars subscription. */
      readonly subscriptionPeriod: number | null;
      /** Every charge of the Stars subscription after the first, oldest first. */
      readonly renewalChargeIds: readonly string[];
      readonly subscriptionExpiresAt: string | null;
      /** What Telegram last said of the Stars subscription. */
      readonly subscriptionState: StarSubscriptionState | null;
      readonly provider: PaymentProvider;
      readonly listAmount: MinorUnits | null;
      readonly discountId: string | null;
    });

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
        const { createdAt, subscriptionPeriod, provider, listAmount, discountId, ...data } = event.data;
        return {
          ...data,
          provider: provider ?? 'stars',
          listAmount: listAmount ?? null,
          discountId: discountId ?? null,
          status: 'pending',
          chargeId: null,
          createdAt,
          subscriptionPeriod: subscriptionPeriod ?? null,
          renewalChargeIds: [],
          subscriptionExpiresAt: null,
          subscriptionState: null,
        };
      }
      case 'PaymentCompleted':
        return state.status === 'none'
          ? state
          : {
              ...state,
              status: 'completed',
              chargeId: event.data.chargeId,
              subscriptionExpiresAt: event.data.subscriptionExpiresAt ?? null,
              subscriptionState: state.subscriptionPeriod === null ? null : 'active',
            };
      case 'PaymentRenewed':
        return state.status === 'none'
          ? state
          : {
              ...state,
              renewalChargeIds: [...state.renewalChargeIds, event.data.chargeId],
              subscriptionExpiresAt: event.data.subscriptionExpiresAt ?? state.subscriptionExpiresAt,
            };
      case 'StarSubscriptionStateNoted':
        return state.status === 'none' ? state : { ...state, subscriptionState: event.data.state };
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
      if (command.subscriptionPeriod !== undefined && (command.subscriptionPeriod !== STARS_SUBSCRIPTION_PERIOD_SECONDS || command.currency !== 'XTR')) {
        throw new RecurringPeriodInvalidError(command.paymentId, command.subscriptionPeriod, command.currency);
      }
      if (command.provider === 'wallet' && command.subscriptionPeriod !== undefined) {
        throw new RecurringPeriodInvalidError(command.paymentId, command.subscriptionPeriod, command.currency);
      }
      if (command.discountId !== undefined && command.subscriptionPeriod !== undefined) {
        throw new RecurringPeriodInvalidError(command.paymentId, command.subscriptionPeriod, command.currency);
      }
      const { type: _type, now, provider, ...data } = command;
      return [{ type: 'PaymentCreated', data: { ...data, ...(provider && provider !== 'stars' ? { provider } : {}), createdAt: now } }];
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
        if (state.chargeId === command.chargeId || state.renewalChargeIds.includes(command.chargeId)) return [];
        if (command.currency !== state.currency || BigInt(command.amount) !== BigInt(state.amount)) throw new PaymentAmountMismatchError(command.paymentId);
        const expires = command.subscriptionExpiresAt ? { subscriptionExpiresAt: command.subscriptionExpiresAt } : {};
        if (state.chargeId !== null) {
          // Another charge of the same invoice link: Telegram renewed the Stars subscription.
          if (state.subscriptionPeriod === null) throw new PaymentAlreadyPaidError(command.paymentId);
          if (state.status !== 'completed') throw new PaymentNotPendingError(command.paymentId, state.status);
          return [{ type: 'PaymentRenewed', data: { ...data, chargeId: command.chargeId, ...expires, renewedAt: command.now } }];
        }
        // Telegram charged after our checkout said yes: the money is taken, so a failure noted since
        // (an archive that raced the checkout) does not undo it; only a cancelled order refuses.
        if (state.status !== 'pending' && state.status !== 'failed') throw new PaymentNotPendingError(command.paymentId, state.status);
        const provider = state.provider !== 'stars' ? { provider: state.provider } : {};
        const discount = state.discountId ? { discountId: state.discountId } : {};
        const renewal = command.renewal ? { renewal: true } : {};
        return [
          {
            type: 'PaymentCompleted',
            data: { ...data, chargeId: command.chargeId, ...expires, ...provider, ...discount, ...renewal, completedAt: command.now },
          },
        ];
      }
      case 'NoteStarSubscriptionState':
        if (state.subscriptionPeriod === null || state.chargeId === null) throw new PaymentNotRecurringError(command.paymentId);
        if (state.subscriptionState === command.state) return [];
        return [{ type: 'StarSubscriptionStateNoted', data: { ...member, state: command.state, notedAt: command.now } }];
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
