/**
 * An amount in the currency's minor units as the number a message shows: Stars (XTR) are whole, other
 * currencies have the fraction digits ISO 4217 gives them (kopecks → roubles). The figure comes from the
 * integer, so nothing is rounded on the way.
 */
export function majorUnits(minor: number, currency: string): string {
  const digits = currency === 'XTR' ? 0 : fractionDigitsOf(currency);
  if (digits === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

function fractionDigitsOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
