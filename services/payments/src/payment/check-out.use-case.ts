import { Injectable, Logger } from '@nestjs/common';
import { MemberDiscounts } from '../promo/member-discounts.js';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { PaymentCommands } from './payment-commands.js';

export interface CheckOutInput {
  readonly botId: string;
  readonly telegramUserId: string;
  /** The invoice's payload: our payment id. */
  readonly payload: string;
  readonly currency: string;
  readonly totalAmount: string;
}

/** Why a checkout is declined; each has its text in the member's language. */
export type CheckoutRefusal = 'unknown_order' | 'already_paid' | 'order_closed' | 'plan_unavailable' | 'price_changed' | 'try_again';
export type CheckoutVerdict = { readonly ok: true } | { readonly ok: false; readonly refusal: CheckoutRefusal };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Telegram waits 10 s and the gateway 5 s for a pre-checkout: the plan's look-up gets 3 s of it. */
const PLAN_LOOKUP_TIMEOUT_MS = 3_000;

/**
 * Telegram asks whether the order may be charged (`pre_checkout_query`): yes only when the payment
 * exists, is this bot's and this member's, still waits for money, and its plan is still on sale at the
 * same Stars price as the query's. An order whose plan or price changed can never be paid as it was
 * made, so it is marked failed; the member orders again from /plans.
 */
@Injectable()
export class CheckOutUseCase {
  private readonly logger = new Logger('CheckOut');

  constructor(
    private readonly payments: PaymentCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly clock: Clock,
    private readonly discounts: MemberDiscounts,
  ) {}

  async execute(input: CheckOutInput): Promise<CheckoutVerdict> {
    if (!UUID.test(input.payload)) return { ok: false, refusal: 'unknown_order' };
    const payment = await this.payments.state(input.payload);
    if (payment.status === 'none' || payment.botId !== input.botId || payment.telegramUserId !== input.telegramUserId) {
      return { ok: false, refusal: 'unknown_order' };
    }
    if (payment.status === 'completed' || payment.status === 'refunded') return { ok: false, refusal: 'already_paid' };
    if (payment.status !== 'pending') return { ok: false, refusal: 'order_closed' };
    if (input.currency !== payment.currency || !sameAmount(input.totalAmount, payment.amount)) return this.fail(payment.paymentId, input, 'price_changed');

    let plan: Awaited<ReturnType<SubscriptionsClient['plan']>>;
    try {
      plan = await this.subscriptions.plan(input.botId, payment.planId, { timeoutMs: PLAN_LOOKUP_TIMEOUT_MS });
    } catch (error) {
      // Not known to be invalid: declined for now, the order stays payable.
      this.logger.warn(`checkout of payment ${payment.paymentId} declined, the plan could not be read: ${String(error)}`);
      return { ok: false, refusal: 'try_again' };
    }
    if (!plan?.forSale) return this.fail(payment.paymentId, input, 'plan_unavailable');
    // A Stars order against the plan's Stars price, a fiat one (a provider token's) against its price in that
    // currency. The order's price before its discount is what the plan must still cost; a discount another
    // purchase used meanwhile is no longer the member's, so the order's price is stale too.
    const price =
      payment.currency === 'XTR' ? plan.starsAmount : plan.view.definition?.prices?.find((p) => p.currency === payment.currency)?.amount?.toString();
    if (!price || !sameAmount(price, payment.listAmount ?? payment.amount)) return this.fail(payment.paymentId, input, 'price_changed');
    if (payment.discountId && (await this.discounts.usedElsewhere(payment.discountId, payment.paymentId)))
      return this.fail(payment.paymentId, input, 'price_changed');
    return { ok: true };
  }

  private async fail(paymentId: string, input: CheckOutInput, refusal: 'plan_unavailable' | 'price_changed'): Promise<CheckoutVerdict> {
    await this.payments.handle(
      { type: 'FailPayment', paymentId, reason: refusal, now: this.clock.now().toISOString() },
      { botId: input.botId, actor: { kind: 'user', id: `telegram:${input.telegramUserId}` } },
    );
    return { ok: false, refusal };
  }
}

function sameAmount(a: string, b: string): boolean {
  try {
    return BigInt(a) === BigInt(b);
  } catch {
    return false;
  }
}
