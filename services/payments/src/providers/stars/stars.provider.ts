import type { MinorUnits, PaymentStatus } from '../../payment/payment.decider.js';
import type { PaymentProvider, ProviderCheckout, ProviderOrder } from '../payment-provider.js';

/** Telegram's ceiling of a one-off Stars invoice. */
export const STARS_ONE_OFF_MAX = 100_000n;

/**
 * Telegram Stars behind the provider interface: an XTR invoice with one price and no provider token,
 * our payment id as its payload (a Stars subscription when the order has a period). Telegram's
 * pre-checkout and `successful_payment` complete it (bot/stars-checkout.feature.ts); refunds go through
 * `refundStarPayment` (payment/refund-payment.use-case.ts). Needs no keys.
 */
export class StarsProvider implements PaymentProvider {
  readonly id = 'stars' as const;
  readonly kind = 'telegram' as const;
  readonly requiredSecrets = [] as const;
  readonly refundable = true;

  accepts(currency: string, amount: MinorUnits): { ok: true } | { ok: false; reason: string } {
    if (currency !== 'XTR') return { ok: false, reason: `Stars are paid in XTR, not ${currency}` };
    const value = BigInt(amount);
    if (value < 1n || value > STARS_ONE_OFF_MAX) return { ok: false, reason: `a Stars invoice is 1 to ${STARS_ONE_OFF_MAX} XTR` };
    return { ok: true };
  }

  async createCheckout(order: ProviderOrder): Promise<ProviderCheckout> {
    const accepted = this.accepts(order.currency, order.amount);
    if (!accepted.ok) throw new RangeError(accepted.reason);
    return {
      kind: 'invoice',
      invoice: {
        title: order.title,
        description: order.description,
        payload: order.paymentId,
        currency: 'XTR',
        prices: [{ label: order.title, amount: order.amount }],
        ...(order.subscriptionPeriod ? { subscriptionPeriod: order.subscriptionPeriod } : {}),
      },
    };
  }

  /** Telegram's own words: a `successful_payment` completes, a refund refunds; a Stars subscription's `subscription` states move no status. */
  mapStatus(providerStatus: string): PaymentStatus | null {
    switch (providerStatus) {
      case 'successful_payment':
        return 'completed';
      case 'refunded_payment':
        return 'refunded';
      default:
        return null;
    }
  }
}
