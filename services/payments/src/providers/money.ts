import type { MinorUnits } from '../payment/payment.decider.js';

/**
 * Digits after the point of the currencies payments sells in beyond Stars (ISO 4217 exponents, as
 * Telegram's currencies.json gives them); XTR has none.
 */
const EXPONENTS: Readonly<Record<string, number>> = {
  XTR: 0,
  USD: 2,
  EUR: 2,
  GBP: 2,
  RUB: 2,
  UAH: 2,
  KZT: 2,
  BYN: 2,
  UZS: 2,
  INR: 2,
  BRL: 2,
  TRY: 2,
  PLN: 2,
  GEL: 2,
  AMD: 2,
  AED: 2,
  ILS: 2,
  THB: 2,
  CNY: 2,
  IDR: 2,
  AZN: 2,
  JPY: 0,
  KRW: 0,
};

/** The currency's exponent, undefined for one payments does not know. */
export const exponentOf = (currency: string): number | undefined => EXPONENTS[currency];

/** Minor units as a decimal string: ("499", "USD") → "4.99". Exact (no floats). */
export function toDecimal(amount: MinorUnits, currency: string): string {
  const exponent = exponentOf(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  const value = BigInt(amount);
  if (exponent === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** A decimal string as minor units: ("4.99", "USD") → "499"; undefined when it has more digits than the currency or is not a number. */
export function toMinorUnits(decimal: string, currency: string): MinorUnits | undefined {
  const exponent = exponentOf(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (exponent === undefined || !match) return undefined;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) return undefined;
  return BigInt(`${match[1]}${fraction.padEnd(exponent, '0')}`).toString();
}
