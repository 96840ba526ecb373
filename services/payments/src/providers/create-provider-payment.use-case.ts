import type { CreatePaymentReplyJson } from '@botplatform/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { invoiceTextOf } from '../payment/create-payment.use-case.js';
import { PaymentCommands } from '../payment/payment-commands.js';
import { PlanNotForSaleError } from '../payment/payment.errors.js';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { PROVIDER_IDS, type ProviderId } from './payment-provider.js';
import { PaymentProviders } from './payment-providers.js';
import { ProviderCannotPriceError, ProviderNotEnabledError, ProviderUnavailableError } from './providers.errors.js';
import { ProviderSettingsStore } from './settings/provider-settings.store.js';

/**
 * A member orders a plan through another provider than Stars (`create-payment` with `provider`): the
 * bot must have enabled it; the plan's first price the provider accepts (currency and bounds) is the
 * order's; the pending payment is stored, then the provider makes its side: an invoice (Telegram
 * Payments with the bot's provider token) or a pay URL (Crypto Pay's createInvoice). When the provider
 * refuses or cannot be reached, the payment is marked failed and nothing can be charged on it.
 */
@Injectable()
export class CreateProviderPaymentUseCase {
  private readonly logger = new Logger('payments');

  constructor(
    private readonly providers: PaymentProviders,
    private readonly settings: ProviderSettingsStore,
    private readonly payments: PaymentCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly clock: Clock,
  ) {}

  /**
   * The providers /plans may offer for the plan (`get-payment-methods`), in PROVIDER_IDS' order: enabled
   * for the bot with every key they need held, and accepting one of the plan's prices (`execute` would
   * take that one). Stars is "Buy" and never listed. None when the plan is not on sale.
   */
  async offered(botId: string, planId: string): Promise<ProviderId[]> {
    const [plan, settings] = await Promise.all([this.subscriptions.plan(botId, planId), this.settings.list(botId)]);
    if (!plan?.forSale) return [];
    const prices = (plan.view.definition?.prices ?? []).map((price) => ({ currency: price.currency ?? '', amount: String(price.amount ?? '0') }));
    return PROVIDER_IDS.filter((id) => {
      if (id === 'stars') return false;
      const provider = this.providers.get(id);
      const set = settings.find((candidate) => candidate.provider === id);
      if (!set?.enabled || !provider.requiredSecrets.every((name) => set.secretNames.includes(name))) return false;
      return prices.some((price) => provider.accepts(price.currency, price.amount).ok);
    });
  }

  async execute(input: { botId: string; telegramUserId: string; planId: string; language: string; provider: string }): Promise<CreatePaymentReplyJson> {
    const provider = this.providers.get(input.provider);
    const settings = await this.settings.open(input.botId, provider.id);
    if (!settings?.enabled) throw new ProviderNotEnabledError(provider.id);
    const plan = await this.subscriptions.plan(input.botId, input.planId);
    if (!plan?.forSale) throw new PlanNotForSaleError(input.planId);
    const prices = (plan.view.definition?.prices ?? []).map((price) => ({ currency: price.currency ?? '', amount: String(price.amount ?? '0') }));
    const price = prices.find((candidate) => provider.accepts(candidate.currency, candidate.amount).ok);
    if (!price) {
      const reasons = prices
        .map((candidate) => provider.accepts(candidate.currency, candidate.amount))
        .flatMap((verdict) => (verdict.ok ? [] : [verdict.reason]));
      throw new ProviderCannotPriceError(provider.id, reasons.join('; ') || 'the plan has no price');
    }
    const paymentId = randomUUID();
    const actor = { botId: input.botId, actor: { kind: 'user' as const, id: `telegram:${input.telegramUserId}` } };
    await this.payments.handle(
      {
        type: 'CreatePayment',
        paymentId,
        botId: input.botId,
        telegramUserId: input.telegramUserId,
        planId: input.planId,
        currency: price.currency,
        amount: price.amount,
        provider: provider.id,
        now: this.clock.now().toISOString(),
      },
      actor,
    );
    try {
      const checkout = await provider.createCheckout(
        {
          paymentId,
          botId: input.botId,
          telegramUserId: input.telegramUserId,
          currency: price.currency,
          amount: price.amount,
          ...invoiceTextOf(plan.view, input.language),
        },
        settings.secrets,
      );
      return { paymentId, ...(checkout.kind === 'invoice' ? { invoice: checkout.invoice } : { payUrl: checkout.url }) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn({ msg: 'provider refused the payment', provider: provider.id, paymentId, reason });
      await this.payments.handle({ type: 'FailPayment', paymentId, reason: `provider: ${reason}`.slice(0, 500), now: this.clock.now().toISOString() }, actor);
      throw new ProviderUnavailableError(`${provider.id} did not take the payment: ${reason}`);
    }
  }
}
