/** "4.99 EUR", "1 500 RUB" style: minor units as an exact decimal of the currency's digits (ISO 4217 via Intl), then the code. */
export function formatMinorUnits(amount: string, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  const value = BigInt(amount);
  const negative = value < 0n;
  const units = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const whole = units.slice(0, units.length - digits);
  const fraction = digits > 0 ? `.${units.slice(units.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${currency}`;
}
