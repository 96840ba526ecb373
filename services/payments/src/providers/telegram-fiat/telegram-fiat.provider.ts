import type { MinorUnits, PaymentStatus } from '../../payment/payment.decider.js';
import { exponentOf } from '../money.js';
import type { PaymentProvider, ProviderCheckout, ProviderOrder, ProviderSecrets } from '../payment-provider.js';

/**
 * The bounds Telegram Payments puts on a fiat invoice's total, in minor units: about US$1 to US$10,000
 * (Telegram's `min_amount` / `max_amount` per currency in its currencies.json, rounded here). A currency
 * not listed is not sold through a provider token.
 */
export const FIAT_BOUNDS: Readonly<Record<string, { min: bigint; max: bigint }>> = {
  USD: { min: 100n, max: 1_000_000n },
  EUR: { min: 100n, max: 1_000_000n },
  GBP: { min: 100n, max: 1_000_000n },
  RUB: { min: 10_000n, max: 100_000_000n },
  UAH: { min: 4_000n, max: 40_000_000n },
  KZT: { min: 50_000n, max: 500_000_000n },
  INR: { min: 8_500n, max: 85_000_000n },
  BRL: { min: 500n, max: 5_000_000n },
};

/**
 * Telegram Payments with a payment provider's token (fiat): the same invoice flow as Stars (the
 * pre-checkout, then `successful_payment` with `telegram_payment_charge_id`), but in a fiat currency, in
 * minor units, with the bot's `provider_token` (its settings' `providerToken`). Telegram gives no refund
 * method for fiat payments: the provider refunds in its own dashboard.
 */
export class TelegramFiatProvider implements PaymentProvider {
  readonly id = 'telegram-fiat' as const;
  readonly kind = 'telegram' as const;
  readonly requiredSecrets = ['providerToken'] as const;
  readonly refundable = false;

  accepts(currency: string, amount: MinorUnits): { ok: true } | { ok: false; reason: string } {
    const bounds = FIAT_BOUNDS[currency];
    if (!bounds || exponentOf(currency) === undefined) return { ok: false, reason: `${currency} is not sold through a provider token` };
    const value = BigInt(amount);
    if (value < bounds.min || value > bounds.max) return { ok: false, reason: `a ${currency} invoice is ${bounds.min} to ${bounds.max} minor units` };
    return { ok: true };
  }

  async createCheckout(order: ProviderOrder, secrets: ProviderSecrets): Promise<ProviderCheckout> {
    const accepted = this.accepts(order.currency, order.amount);
    if (!accepted.ok) throw new RangeError(accepted.reason);
    if (order.subscriptionPeriod) throw new RangeError('only Stars invoices can be subscriptions');
    const providerToken = secrets.providerToken;
    if (!providerToken) throw new RangeError('the bot has no provider token');
    return {
      kind: 'invoice',
      invoice: {
        title: order.title,
        description: order.description,
        payload: order.paymentId,
        currency: order.currency,
        prices: [{ label: order.title, amount: order.amount }],
        providerToken,
      },
    };
  }

  mapStatus(providerStatus: string): PaymentStatus | null {
    return providerStatus === 'successful_payment' ? 'completed' : null;
  }
}
