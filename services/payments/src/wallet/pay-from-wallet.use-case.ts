import { PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CompletePaymentUseCase, type CompletedPayment } from '../payment/complete-payment.use-case.js';
import { PaymentCommands } from '../payment/payment-commands.js';
import type { PaymentState } from '../payment/payment.decider.js';
import { DiscountSpentMeanwhileError, PlanNotForSaleError } from '../payment/payment.errors.js';
import { discounted, MemberDiscounts } from '../promo/member-discounts.js';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { WalletCommands } from './wallet-commands.js';
import { InsufficientBalanceError } from './wallet.errors.js';

export interface PayFromWalletInput {
  readonly botId: string;
  readonly telegramUserId: string;
  readonly planId: string;
}

/**
 * A member pays a plan from their wallet: the plan's prices are read from subscriptions now, the first
 * price whose currency the wallet covers is the one paid. A payment with provider "wallet" is created,
 * then the wallet's spend (request id "wallet:<payment id>", the payment's charge id) and the payment's
 * completion commit in one transaction, so money leaves the wallet exactly when the payment is completed;
 * the grant is the Stars path's own (CompletePaymentUseCase: the charge id is the grant's key, so it
 * happens once). A spend the balance no longer covers (another spend got there first) fails the payment.
 */
@Injectable()
export class PayFromWalletUseCase {
  constructor(
    private readonly payments: PaymentCommands,
    private readonly wallet: WalletCommands,
    private readonly complete: CompletePaymentUseCase,
    private readonly subscriptions: SubscriptionsClient,
    private readonly store: PostgresEventStore,
    private readonly clock: Clock,
    private readonly discounts: MemberDiscounts,
  ) {}

  async execute(input: PayFromWalletInput): Promise<CompletedPayment & { payment: PaymentState; currency: string; amount: string }> {
    const plan = await this.subscriptions.plan(input.botId, input.planId);
    if (!plan?.forSale) throw new PlanNotForSaleError(input.planId);
    const prices = (plan.view.definition?.prices ?? []).filter((price) => price.currency && price.amount && BigInt(price.amount) > 0n);
    if (prices.length === 0) throw new PlanNotForSaleError(input.planId);
    const { balances } = await this.wallet.ledger(input.botId, input.telegramUserId, 0);
    const balanceIn = (currency: string) => BigInt(balances.find((balance) => balance.currency === currency)?.amount ?? '0');
    // Each price after the member's open promo discount for its currency, if any.
    const offers = await Promise.all(
      prices.map(async (p) => {
        const discount = await this.discounts.openFor(input.botId, input.telegramUserId, p.currency!);
        return { currency: p.currency!, listAmount: String(p.amount), amount: discount ? discounted(String(p.amount), discount) : String(p.amount), discount };
      }),
    );
    const offer = offers.find((o) => balanceIn(o.currency) >= BigInt(o.amount));
    if (!offer) {
      const first = offers[0]!;
      throw new InsufficientBalanceError(first.currency, balanceIn(first.currency).toString(), first.amount);
    }
    const { currency, amount } = offer;
    const discountFields = offer.discount ? { listAmount: offer.listAmount, discountId: offer.discount.redemptionId } : {};
    const paymentId = randomUUID();
    const chargeId = `wallet:${paymentId}`;
    const actor = { kind: 'user', id: `telegram:${input.telegramUserId}` } as const;
    const context = { botId: input.botId, actor };
    await this.payments.handle(
      {
        type: 'CreatePayment',
        paymentId,
        botId: input.botId,
        telegramUserId: input.telegramUserId,
        planId: input.planId,
        currency,
        amount,
        provider: 'wallet',
        // The completion spends the discount (payments.projection.ts), so it is used once.
        ...discountFields,
        now: this.now(),
      },
      context,
    );
    try {
      await this.store.transaction(async (em) => {
        await this.wallet.record(
          {
            type: 'RecordWalletEntry',
            botId: input.botId,
            telegramUserId: input.telegramUserId,
            currency,
            kind: 'spend',
            entryId: chargeId,
            amount,
            by: 'payments',
            reference: paymentId,
            now: this.now(),
          },
          actor,
          { em },
        );
        // The wallet's stream lock is held from here to the commit: another payment of this member that
        // completed with the same discount has committed, and is seen, before this reads.
        if (offer.discount && (await this.discounts.usedElsewhere(offer.discount.redemptionId, paymentId, em))) {
          throw new DiscountSpentMeanwhileError(paymentId);
        }
        await this.payments.handle({ type: 'CompletePayment', paymentId, chargeId, currency, amount, now: this.now() }, context, { em });
      });
    } catch (error) {
      if (error instanceof InsufficientBalanceError || error instanceof DiscountSpentMeanwhileError) {
        const reason = error instanceof InsufficientBalanceError ? 'insufficient_balance' : 'price_changed';
        await this.payments.handle({ type: 'FailPayment', paymentId, reason, now: this.now() }, context);
      }
      throw error;
    }
    // Completed already: this records nothing again and grants once under the charge id.
    const completed = await this.complete.execute({
      botId: input.botId,
      telegramUserId: input.telegramUserId,
      paymentId,
      chargeId,
      currency,
      totalAmount: amount,
    });
    return { ...completed, payment: await this.payments.state(paymentId), currency, amount };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
