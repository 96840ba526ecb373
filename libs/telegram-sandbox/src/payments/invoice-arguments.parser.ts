import type { LabeledPrice } from 'grammy/types';
import { badRequest } from '../errors/telegram-api.error.js';
import type { MethodArguments } from '../bot-api/method-arguments.js';

/** The only subscription period Telegram accepts: 30 days. */
export const STAR_SUBSCRIPTION_PERIOD_SECONDS = 2_592_000;

/** An invoice as sendInvoice / createInvoiceLink describe it, validated. */
export interface InvoiceTerms {
  title: string;
  description: string;
  payload: string;
  currency: string;
  prices: LabeledPrice[];
  totalAmount: number;
  providerToken: string;
  startParameter: string;
  subscriptionPeriod?: number;
  photoUrl?: string;
}

/** Ceilings observed on the live API for Stars: one-off invoices and subscription prices. */
const MAX_STARS_ONE_OFF = 100_000;
const MAX_STARS_SUBSCRIPTION = 10_000;

/** Currencies Telegram Payments supports (subset large enough for tests), plus XTR for Stars. */
const CURRENCIES = new Set([
  'XTR',
  'USD',
  'EUR',
  'GBP',
  'RUB',
  'UAH',
  'KZT',
  'BYN',
  'UZS',
  'INR',
  'BRL',
  'TRY',
  'PLN',
  'CZK',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'JPY',
  'CNY',
  'KRW',
  'CAD',
  'AUD',
  'NZD',
  'ILS',
  'AED',
  'SAR',
  'SGD',
  'HKD',
  'IDR',
  'THB',
  'VND',
  'MXN',
  'ARS',
]);

/**
 * Reads and checks invoice arguments with the Bot API server's order and texts (missing
 * parameters, prices JSON) and the Telegram server's codes for Stars rules (STARS_INVOICE_INVALID...).
 */
export function parseInvoiceArguments(args: MethodArguments, options: { allowSubscription: boolean }): InvoiceTerms {
  const title = args.requiredString('title');
  const description = args.requiredString('description');
  const payload = args.requiredString('payload');
  const currency = args.requiredString('currency');
  const prices = parsePrices(args);

  const byteLength = Buffer.byteLength(payload, 'utf8');
  if (byteLength < 1 || byteLength > 128) throw badRequest('INVOICE_PAYLOAD_INVALID');
  if (!CURRENCIES.has(currency)) throw badRequest('CURRENCY_INVALID');

  const providerToken = args.string('provider_token');
  const totalAmount = prices.reduce((sum, price) => sum + price.amount, 0);
  const subscriptionPeriod = options.allowSubscription && args.has('subscription_period') ? args.int('subscription_period') : undefined;

  if (currency === 'XTR') {
    if (prices.length !== 1) throw badRequest('STARS_INVOICE_INVALID');
    if (totalAmount <= 0 || totalAmount > MAX_STARS_ONE_OFF) throw badRequest('CURRENCY_TOTAL_AMOUNT_INVALID');
  } else {
    if (providerToken === '') throw badRequest('PAYMENT_PROVIDER_INVALID');
    if (totalAmount <= 0) throw badRequest('CURRENCY_TOTAL_AMOUNT_INVALID');
  }

  if (subscriptionPeriod !== undefined) {
    // Subscriptions exist only for Stars; the server answers a fiat one like any invalid Stars invoice.
    if (currency !== 'XTR') throw badRequest('STARS_INVOICE_INVALID');
    if (subscriptionPeriod !== STAR_SUBSCRIPTION_PERIOD_SECONDS) throw badRequest('SUBSCRIPTION_PERIOD_INVALID');
    if (totalAmount > MAX_STARS_SUBSCRIPTION) throw badRequest('SUBSCRIPTION_AMOUNT_INVALID');
  }

  return {
    title,
    description,
    payload,
    currency,
    prices,
    totalAmount,
    providerToken,
    startParameter: args.string('start_parameter'),
    subscriptionPeriod,
    photoUrl: args.optionalString('photo_url'),
  };
}

function parsePrices(args: MethodArguments): LabeledPrice[] {
  args.requiredString('prices');
  const value = args.json('prices', 'prices');
  if (!Array.isArray(value)) throw badRequest('expected an Array of labeled prices');
  const prices = value.map((item): LabeledPrice => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw badRequest("can't parse labeled price: LabeledPrice must be an Object");
    }
    const price = item as Record<string, unknown>;
    if (typeof price.label !== 'string') throw badRequest('can\'t parse labeled price: Can\'t find field "label"');
    if (price.label === '') throw badRequest("can't parse labeled price: LabeledPrice label must be non-empty");
    const amount = typeof price.amount === 'string' ? Number(price.amount) : price.amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount)) {
      throw badRequest('can\'t parse labeled price: Field "amount" must be a valid Number');
    }
    return { label: price.label, amount };
  });
  if (prices.length === 0) throw badRequest('there must be at least one price');
  return prices;
}
