import { PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PaymentCommands } from '../payment/payment-commands.js';
import type { PaymentState } from '../payment/payment.decider.js';
import { PaymentAlreadyExistsError, PaymentNotFoundError, PaymentNotPendingError, PlanNotForSaleError } from '../payment/payment.errors.js';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { WalletCommands } from './wallet-commands.js';
import { InsufficientBalanceError } from './wallet.errors.js';

export interface RenewFromWalletInput {
  readonly botId: string;
  readonly telegramUserId: string;
  readonly planId: string;
  readonly renewalKey: string;
}

/** The payment of a renewal key: a UUID drawn from the bot, the member and the key, so every attempt of a period names one payment. */
export function renewalPaymentId(botId: string, telegramUserId: string, renewalKey: string): string {
  const hex = createHash('sha256').update(`${botId}\n${telegramUserId}\n${renewalKey}`).digest('hex');
  // Laid out as a version 5 (name-based) UUID.
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Subscriptions renews a period from the member's wallet. The payment's id is derived from the renewal
 * key, so every attempt of the period (a retry after a refusal, a redelivered or doubled timer, a second
 * replica, a call after a crash between the charge and the extension) is the same payment: created once,
 * and the wallet's spend (entry "wallet:<payment id>") and the completion commit together, once. A key
 * charged before answers that charge (`chargedNow` false); a key refused before (balance too low) is tried
 * again in the currency and amount of its first attempt. The plan's list price is taken (a promo discount
 * is for a member's own purchase), in the first currency the wallet covers. Nothing is granted here:
 * subscriptions extends the period itself under the same key.
 */
@Injectable()
export class RenewFromWalletUseCase {
  constructor(
    private readonly payments: PaymentCommands,
    private readonly wallet: WalletCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly store: PostgresEventStore,
    private readonly clock: Clock,
  ) {}

  async execute(input: RenewFromWalletInput): Promise<{ payment: PaymentState; chargedNow: boolean }> {
    const paymentId = renewalPaymentId(input.botId, input.telegramUserId, input.renewalKey);
    const actor = { kind: 'service', id: 'subscriptions' } as const;
    const context = { botId: input.botId, actor };
    let payment = await this.payments.state(paymentId);
    if (payment.status === 'completed' || payment.status === 'refunded') return { payment, chargedNow: false };
    if (payment.status === 'none') {
      await this.create(input, paymentId, context);
      payment = await this.payments.state(paymentId);
    }
    if (payment.status === 'none' || payment.planId !== input.planId) throw new PaymentNotFoundError(paymentId);
    const { currency, amount } = payment;
    const chargeId = `wallet:${paymentId}`;
    let chargedNow = false;
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
            by: 'subscriptions',
            reference: paymentId,
            now: this.now(),
          },
          actor,
          { em },
        );
        const completed = await this.payments.handle(
          { type: 'CompletePayment', paymentId, chargeId, currency, amount, renewal: true, now: this.now() },
          context,
          { em },
        );
        chargedNow = completed.newEvents.length > 0;
      });
    } catch (error) {
      if (error instanceof InsufficientBalanceError) {
        // Another call may have completed it meanwhile: then it is not failed, and the refusal stands for this call alone.
        await this.payments.handle({ type: 'FailPayment', paymentId, reason: 'insufficient_balance', now: this.now() }, context).catch((failing: unknown) => {
          if (!(failing instanceof PaymentNotPendingError)) throw failing;
        });
      }
      throw error;
    }
    return { payment: await this.payments.state(paymentId), chargedNow };
  }

  /** The renewal's payment, at the plan's price now: the first currency the wallet covers, else the first price. */
  private async create(input: RenewFromWalletInput, paymentId: string, context: { botId: string; actor: { kind: 'service'; id: string } }): Promise<void> {
    const plan = await this.subscriptions.plan(input.botId, input.planId);
    if (!plan?.forSale) throw new PlanNotForSaleError(input.planId);
    const prices = (plan.view.definition?.prices ?? []).filter((price) => price.currency && price.amount && BigInt(price.amount) > 0n);
    if (prices.length === 0) throw new PlanNotForSaleError(input.planId);
    const { balances } = await this.wallet.ledger(input.botId, input.telegramUserId, 0);
    const covered = (price: (typeof prices)[number]) =>
      BigInt(balances.find((balance) => balance.currency === price.currency)?.amount ?? '0') >= BigInt(price.amount!);
    const price = prices.find(covered) ?? prices[0]!;
    try {
      await this.payments.handle(
        {
          type: 'CreatePayment',
          paymentId,
          botId: input.botId,
          telegramUserId: input.telegramUserId,
          planId: input.planId,
          currency: price.currency!,
          amount: String(price.amount),
          provider: 'wallet',
          now: this.now(),
        },
        context,
      );
    } catch (error) {
      // Another attempt of the same key created it first: that one is the renewal's payment.
      if (!(error instanceof PaymentAlreadyExistsError)) throw error;
    }
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
