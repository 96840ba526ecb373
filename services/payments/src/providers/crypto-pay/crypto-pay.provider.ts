import type { MinorUnits, PaymentStatus } from '../../payment/payment.decider.js';
import { exponentOf, toDecimal, toMinorUnits } from '../money.js';
import {
  WebhookRefusedError,
  type PaymentProvider,
  type ProviderCheckout,
  type ProviderOrder,
  type ProviderSecrets,
  type ProviderWebhookEvent,
  type RawWebhook,
} from '../payment-provider.js';
import { CRYPTO_PAY_MAINNET, CryptoPayClient } from './crypto-pay.client.js';
import { CRYPTO_PAY_SIGNATURE_HEADER, isCryptoPaySignatureValid } from './crypto-pay.signature.js';
import type { CryptoPayUpdate } from './crypto-pay.types.js';

/** The fiat currencies Crypto Pay prices invoices in (https://help.crypt.bot/crypto-pay-api#currencies) that payments knows the exponent of. */
const FIAT = ['USD', 'EUR', 'RUB', 'BYN', 'UAH', 'GBP', 'CNY', 'KZT', 'UZS', 'GEL', 'TRY', 'AMD', 'THB', 'INR', 'BRL', 'IDR', 'AZN', 'AED', 'PLN', 'ILS'];

/** How old a webhook's `request_date` may be (or how far ahead of our clock) before it is refused as a replay. */
export const CRYPTO_PAY_REPLAY_WINDOW_MS = 5 * 60_000;
/** How long a Crypto Pay invoice stays payable. */
const INVOICE_TTL_SECONDS = 3_600;

/**
 * Crypto Pay (@CryptoBot) as an external provider: createInvoice priced in fiat with our payment id as
 * its payload, the member pays on Crypto Pay's page (the invoice URL, sent as a URL button), and Crypto
 * Pay calls our webhook with `invoice_paid`, signed with the app token. Settings: `apiToken`, and
 * `apiUrl` (mainnet when absent; the testnet or a test's fake otherwise). Crypto Pay has no refund API.
 */
export class CryptoPayProvider implements PaymentProvider {
  readonly id = 'crypto-pay' as const;
  readonly kind = 'external' as const;
  readonly requiredSecrets = ['apiToken'] as const;
  readonly refundable = false;

  constructor(private readonly options: { readonly replayWindowMs?: number } = {}) {}

  accepts(currency: string, amount: MinorUnits): { ok: true } | { ok: false; reason: string } {
    if (!FIAT.includes(currency) || exponentOf(currency) === undefined) return { ok: false, reason: `Crypto Pay does not price invoices in ${currency}` };
    if (BigInt(amount) <= 0n) return { ok: false, reason: 'the amount must be positive' };
    return { ok: true };
  }

  async createCheckout(order: ProviderOrder, secrets: ProviderSecrets): Promise<ProviderCheckout> {
    const accepted = this.accepts(order.currency, order.amount);
    if (!accepted.ok) throw new RangeError(accepted.reason);
    if (order.subscriptionPeriod) throw new RangeError('Crypto Pay invoices are one-off');
    const client = new CryptoPayClient(secrets.apiUrl || CRYPTO_PAY_MAINNET, secrets.apiToken ?? '');
    const invoice = await client.createInvoice({
      currency_type: 'fiat',
      fiat: order.currency,
      amount: toDecimal(order.amount, order.currency),
      description: `${order.title}: ${order.description}`.slice(0, 1024),
      payload: order.paymentId,
      expires_in: INVOICE_TTL_SECONDS,
    });
    return { kind: 'redirect', url: invoice.bot_invoice_url, providerPaymentId: String(invoice.invoice_id) };
  }

  mapStatus(providerStatus: string): PaymentStatus | null {
    switch (providerStatus) {
      case 'paid':
        return 'completed';
      case 'expired':
        return 'cancelled';
      default:
        return null; // active: still waiting
    }
  }

  verifyWebhook(webhook: RawWebhook, secrets: ProviderSecrets, now: Date): ProviderWebhookEvent {
    const header = webhook.headers[CRYPTO_PAY_SIGNATURE_HEADER];
    if (!secrets.apiToken || !isCryptoPaySignatureValid(webhook.body, Array.isArray(header) ? header[0] : header, secrets.apiToken)) {
      throw new WebhookRefusedError('signature');
    }
    let update: CryptoPayUpdate;
    try {
      update = JSON.parse(webhook.body.toString('utf8')) as CryptoPayUpdate;
    } catch {
      throw new WebhookRefusedError('malformed');
    }
    const sentAt = Date.parse(update?.request_date ?? '');
    const window = this.options.replayWindowMs ?? CRYPTO_PAY_REPLAY_WINDOW_MS;
    if (!Number.isFinite(sentAt) || Math.abs(now.getTime() - sentAt) > window) throw new WebhookRefusedError('replay');
    const invoice = update.payload;
    if (typeof invoice !== 'object' || invoice === null || typeof invoice.invoice_id !== 'number') throw new WebhookRefusedError('malformed');
    const currency = invoice.currency_type === 'fiat' ? (invoice.fiat ?? '') : (invoice.asset ?? '');
    return {
      updateId: String(update.update_id),
      paymentId: typeof invoice.payload === 'string' && invoice.payload !== '' ? invoice.payload : undefined,
      chargeId: `crypto-pay:${invoice.invoice_id}`,
      status: update.update_type === 'invoice_paid' ? this.mapStatus(invoice.status ?? 'paid') : null,
      currency,
      amount: toMinorUnits(String(invoice.amount), currency),
    };
  }
}
