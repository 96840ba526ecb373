import type { PlanPrice, PlanText } from '../plan/plan.decider.js';

/** Telegram Stars: whole stars, no minor unit. */
const STARS = 'XTR';

/**
 * Digits after the point of a currency's minor unit (ISO 4217: 2 for EUR, 0 for JPY, 3 for KWD), as the
 * runtime's currency data has them; Telegram's amounts are in the same minor units.
 */
export function minorDigitsOf(currency: string): number {
  if (currency === STARS) return 0;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // A code the runtime does not know (plan validation refuses those): the common case.
    return 2;
  }
}

/**
 * A price from its minor units, computed on integers only (an amount is an int64 as a decimal string,
 * beyond a double's exact range): "⭐ 250" for Stars, "4.99 EUR", "500 JPY".
 */
export function formatPrice(price: PlanPrice): string {
  const amount = BigInt(price.amount);
  if (price.currency === STARS) return `⭐ ${amount}`;
  const digits = minorDigitsOf(price.currency);
  if (digits === 0) return `${amount} ${price.currency}`;
  const unit = 10n ** BigInt(digits);
  const sign = amount < 0n ? '-' : '';
  const magnitude = amount < 0n ? -amount : amount;
  return `${sign}${magnitude / unit}.${(magnitude % unit).toString().padStart(digits, '0')} ${price.currency}`;
}

/** Every price of a plan, Stars first, then the currencies in the plan's order; `undefined` for none. */
export function formatPrices(prices: readonly PlanPrice[]): string | undefined {
  if (prices.length === 0) return undefined;
  const ordered = [...prices.filter((p) => p.currency === STARS), ...prices.filter((p) => p.currency !== STARS)];
  return ordered.map(formatPrice).join(' / ');
}

/** A plan's text in the member's language, else English, else the first one it has. */
export function planTextIn(texts: readonly PlanText[], language: string): PlanText {
  return texts.find((t) => t.language === language) ?? texts.find((t) => t.language === 'en') ?? texts[0] ?? { language, name: '?', description: '' };
}

/**
 * A moment as the bot's members read it: "2026-12-01 13:00 (Europe/Berlin)", in the bot's time zone
 * (numeric, so it reads the same in every language). An unknown zone falls back to UTC.
 */
export function formatMoment(iso: string, timeZone: string): string {
  let zone = timeZone || 'UTC';
  let format: Intl.DateTimeFormat;
  try {
    format = dateTimeFormat(zone);
  } catch {
    zone = 'UTC';
    format = dateTimeFormat(zone);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${zone})`;
}

function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}
