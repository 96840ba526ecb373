/** The bot settings (users service, custom keys) that turn referral rewards on. */
export const REFERRAL_PERCENT_SETTING = 'referral_percent';
export const REFERRAL_LEVELS_SETTING = 'referral_levels';
export const REFERRAL_SETTINGS: readonly string[] = [REFERRAL_PERCENT_SETTING, REFERRAL_LEVELS_SETTING];

/** Levels are bounded: a chain deeper than this earns nothing more. */
export const MAX_REFERRAL_LEVELS = 10;

const PERCENT = /^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)$/;

/** "2.5" or 2.5 → 250 basis points; null when not a percentage in [0, 100] with at most two decimals. */
function basisPointsOf(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/%$/, '') : null;
  if (text === null || !PERCENT.test(text)) return null;
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

const parse = (json: string | undefined): unknown => {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
};

/**
 * The share of each level, in basis points, from the settings' JSON values (as `users.bot.setting_changed`
 * carries them). `referral_percent` is one percentage for every level (`10`, `"2.5"`) or one per level
 * (`[10, 5, 2]`); `referral_levels` (default 1, or the list's length) says how many levels earn, at most
 * 10. Absent, zero or malformed: an empty list, rewards off.
 */
export function referralSharesOf(percentJson: string | undefined, levelsJson: string | undefined): number[] {
  const percent = parse(percentJson);
  const levelsValue = parse(levelsJson);
  const levelsSet = typeof levelsValue === 'number' && Number.isInteger(levelsValue) && levelsValue >= 0 ? levelsValue : undefined;
  let shares: (number | null)[];
  if (Array.isArray(percent)) {
    shares = percent.map(basisPointsOf);
    if (levelsSet !== undefined) shares = shares.slice(0, levelsSet);
  } else {
    const one = basisPointsOf(percent);
    shares = Array.from({ length: levelsSet ?? 1 }, () => one);
  }
  if (shares.some((share) => share === null)) return [];
  const list = (shares as number[]).slice(0, MAX_REFERRAL_LEVELS);
  // Trailing zero levels earn nothing; a zero level in the middle still lets the next one earn.
  while (list.length > 0 && list[list.length - 1] === 0) list.pop();
  return list;
}
