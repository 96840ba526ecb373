import type { InvoiceJson } from '@botplatform/contracts';
import type { MinorUnits, PaymentStatus } from '../payment/payment.decider.js';

/** The providers payments knows. A bot enables each with its own settings (settings/provider-settings.store.ts). */
export const PROVIDER_IDS = ['stars', 'telegram-fiat', 'crypto-pay'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const isProviderId = (value: string): value is ProviderId => (PROVIDER_IDS as readonly string[]).includes(value);

/** What is being sold, as the payment aggregate stored it: the provider turns it into its own order. */
export interface ProviderOrder {
  readonly paymentId: string;
  readonly botId: string;
  readonly telegramUserId: string;
  readonly currency: string;
  readonly amount: MinorUnits;
  readonly title: string;
  readonly description: string;
  /** Seconds between charges (a Stars subscription); absent for a one-off purchase. */
  readonly subscriptionPeriod?: number;
}

/**
 * How the member pays: an invoice the gateway sends in the chat (Telegram collects the money, the
 * pre-checkout and `successful_payment` follow), or a page of an external provider opened from a URL
 * button (its webhook tells us).
 */
export type ProviderCheckout =
  | { readonly kind: 'invoice'; readonly invoice: InvoiceJson }
  | { readonly kind: 'redirect'; readonly url: string; readonly providerPaymentId: string };

/** A webhook call as it arrived: the raw bytes (never re-serialised JSON) and the headers, lower-cased. */
export interface RawWebhook {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A verified webhook, in payment terms. */
export interface ProviderWebhookEvent {
  /** The provider's id of the update: for the log and the parked record. */
  readonly updateId: string;
  /** Our payment id, which we gave the provider in its payload; undefined when the update carries none. */
  readonly paymentId: string | undefined;
  /** The provider's charge: the payment's idempotency key (prefixed with the provider, so ids of two providers never meet). */
  readonly chargeId: string;
  /** The provider's status mapped onto the payment's; null: a status that moves nothing (e.g. still active). */
  readonly status: PaymentStatus | null;
  readonly currency: string;
  /** Undefined when the provider's amount is not a valid amount of that currency. */
  readonly amount: MinorUnits | undefined;
}

/** The provider's keys and options for one bot, opened from their sealed form. */
export type ProviderSecrets = Readonly<Record<string, string>>;

/** A webhook refused before anything is read from it (401): bad signature, or outside the replay window. */
export class WebhookRefusedError extends Error {
  constructor(readonly reason: 'signature' | 'replay' | 'malformed') {
    super(`webhook refused: ${reason}`);
    this.name = 'WebhookRefusedError';
  }
}

/**
 * One payment provider (docs/adr/0017-payment-provider-interface.md). Stars and Telegram Payments with a
 * provider token are `telegram` providers: they make an invoice and Telegram's updates complete the
 * payment. An `external` provider makes a redirect URL and calls our webhook, which it signs.
 */
export interface PaymentProvider {
  readonly id: ProviderId;
  readonly kind: 'telegram' | 'external';
  /** The keys its settings must hold (`telegram-fiat`: providerToken; `crypto-pay`: apiToken). */
  readonly requiredSecrets: readonly string[];
  /** Whether it can take this currency and amount; a reason when not (Telegram's and the provider's rules). */
  accepts(currency: string, amount: MinorUnits): { ok: true } | { ok: false; reason: string };
  /** Creates the provider's side of the payment. */
  createCheckout(order: ProviderOrder, secrets: ProviderSecrets): Promise<ProviderCheckout>;
  /** Maps one of the provider's statuses onto the payment's; null for one that moves nothing. */
  mapStatus(providerStatus: string): PaymentStatus | null;
  /**
   * Checks a webhook's signature over the raw body (constant time) and its age, then parses it. Throws
   * WebhookRefusedError; only for `external` providers.
   */
  verifyWebhook?(webhook: RawWebhook, secrets: ProviderSecrets, now: Date): ProviderWebhookEvent;
  /** Whether the provider can give money back through its API (Stars: `refundStarPayment`; Crypto Pay cannot). */
  readonly refundable: boolean;
}
