/** The small parsers of the promo steps: whole numbers, amounts with their currency, expiry, and text in chunks. */

/** A whole number from 1 to `max` as an admin types it ("30"), else undefined. */
export function wholeNumber(text: string, max: number): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

/** Digits after the point of an ISO 4217 currency (Stars: none); undefined for what is no currency code. */
function minorDigitsOf(currency: string): number | undefined {
  if (currency === 'XTR') return 0;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return undefined;
  }
}

/**
 * "100 XTR", "4.99 EUR", "EUR 4.99" → minor units and the currency, exactly (no float on the way), or
 * undefined: no currency, more decimals than the currency has, zero, or above 10^12 minor units.
 */
export function parseMoney(text: string): { currency: string; amount: string } | undefined {
  const match = /^(?:([0-9]{1,12})(?:[.,]([0-9]{1,4}))?\s*([A-Za-z]{3})|([A-Za-z]{3})\s*([0-9]{1,12})(?:[.,]([0-9]{1,4}))?)$/.exec(text.trim());
  if (!match) return undefined;
  const [whole, fraction = '', code] = match[3] ? [match[1]!, match[2], match[3]] : [match[5]!, match[6], match[4]!];
  const currency = code.toUpperCase();
  const digits = minorDigitsOf(currency);
  if (digits === undefined || fraction.length > digits) return undefined;
  const minor = BigInt(whole + fraction.padEnd(digits, '0'));
  if (minor <= 0n || minor > 1_000_000_000_000n) return undefined;
  return { currency, amount: minor.toString() };
}

const DAY_MS = 86_400_000;

/**
 * When a code expires, from the admin's answer: "-" never (null), a number of days from now (1 to 3650),
 * or a date "YYYY-MM-DD" (its end, UTC) that is in the future; undefined for anything else.
 */
export function expiryFrom(text: string, now: Date): string | null | undefined {
  if (text === '-') return null;
  if (/^[0-9]{1,4}$/.test(text)) {
    const days = Number(text);
    return days >= 1 && days <= 3650 ? new Date(now.getTime() + days * DAY_MS).toISOString() : undefined;
  }
  const date = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (!date) return undefined;
  const end = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), 23, 59, 59));
  if (Number.isNaN(end.getTime()) || end.toISOString().slice(0, 10) !== text || end <= now) return undefined;
  return end.toISOString();
}

/** Lines joined into texts of at most `limit` characters each (a line longer than that stands alone). */
export function chunkLines(lines: readonly string[], limit: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + 1 + line.length > limit) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) chunks.push(current);
  return chunks;
}
