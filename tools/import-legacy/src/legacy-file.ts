/**
 * Seed 003's `users_data.json` (the file its bots kept before the database, which its own
 * `scripts/migrate_from_json.py` moved into `users` and `bot_sessions`), read and checked row by row.
 * The shape, field by field: docs/seed-003.md "Importing a legacy bot". Pure: no I/O, no clock but `now`.
 */

/** What a service's session slice may hold (bot-kit's SESSION_SLICE_MAX_BYTES, the gateway refuses more). */
const SESSION_MAX_BYTES = 4_096;
/** An award's largest amount (rpc.gamification.award); more XP goes in several awards. */
export const MAX_AWARD = 1_000_000;
/** What rpc.gamification.import-activity-stats takes. */
const MAX_ACTIVITIES = 1_000_000_000;
const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;
const BADGE_KEY = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** One member of the legacy bot, checked: what the import sends. */
export interface LegacyUser {
  readonly telegramUserId: string;
  readonly profile: { readonly firstName: string; readonly username?: string; readonly lastName?: string; readonly languageCode?: string };
  readonly xp: number;
  /** The level the legacy bot showed (the platform computes its own from the XP and the bot's thresholds). */
  readonly level: number | null;
  /** Badge keys, each once (the badges and the stats' achievements_unlocked). */
  readonly badges: readonly string[];
  /** Absent when the legacy bot counted no activity. */
  readonly stats: { readonly totalActivities: number; readonly bestScore: number | null; readonly lastActivityAt: string } | null;
  /** The bot's session JSON; absent when empty. */
  readonly sessionJson: string | null;
}

export interface InvalidRow {
  /** The row's key in the file, as written. */
  readonly key: string;
  readonly reasons: readonly string[];
}

export interface LegacyFile {
  readonly users: readonly LegacyUser[];
  readonly invalid: readonly InvalidRow[];
}

export class LegacyFileError extends Error {
  readonly code = 'IMPORT.BAD_FILE';
}

/** Parses the file's text; every row is either a LegacyUser or an InvalidRow with all its reasons. */
export function parseLegacyFile(text: string, options: { readonly badgeCatalogue: ReadonlySet<string>; readonly now: Date }): LegacyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LegacyFileError(`the file is not JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new LegacyFileError('the file is not a JSON object of rows keyed by Telegram id');
  const users: LegacyUser[] = [];
  const invalid: InvalidRow[] = [];
  for (const [key, row] of Object.entries(parsed)) {
    const checked = checkRow(key, row, options);
    if ('reasons' in checked) invalid.push(checked);
    else users.push(checked);
  }
  return { users, invalid };
}

function checkRow(key: string, row: unknown, { badgeCatalogue, now }: { badgeCatalogue: ReadonlySet<string>; now: Date }): LegacyUser | InvalidRow {
  const reasons: string[] = [];
  if (!TELEGRAM_USER_ID.test(key) || !Number.isSafeInteger(Number(key))) reasons.push(`bad Telegram id ${JSON.stringify(key)}`);
  if (!isObject(row)) return { key, reasons: [...reasons, 'the row is not an object'] };

  const username = optionalText(row, 'username', 32, reasons);
  const lastName = optionalText(row, 'last_name', 64, reasons);
  const languageCode = optionalText(row, 'language_code', 35, reasons);
  if (languageCode !== undefined && !LANGUAGE.test(languageCode)) reasons.push(`language_code ${JSON.stringify(languageCode)} is not a language code`);
  const firstName = optionalText(row, 'first_name', 64, reasons) ?? username;
  if (firstName === undefined) reasons.push('no first_name (nor a username to use instead)');

  const xpValue = row.total_xp ?? row.xp ?? 0;
  const xp = wholeNumber(xpValue);
  if (xp === null) reasons.push(`XP ${JSON.stringify(xpValue)} is not a whole number`);
  else if (xp < 0) reasons.push(`negative XP (${xp})`);

  let level: number | null = null;
  if (row.level !== undefined && row.level !== null) {
    level = wholeNumber(row.level);
    if (level === null || level < 1) reasons.push(`level ${JSON.stringify(row.level)} is not a positive whole number`);
  }

  const statsValue = row.stats ?? row.stats_data;
  const badges = new Set<string>();
  for (const badge of badgesOf(row.badges, 'badges', reasons)) badges.add(badge);
  if (isObject(statsValue)) for (const badge of badgesOf(statsValue.achievements_unlocked, 'stats.achievements_unlocked', reasons)) badges.add(badge);
  for (const badge of badges) {
    if (!BADGE_KEY.test(badge)) reasons.push(`badge ${JSON.stringify(badge)} is not a badge key (1-48 lower-case letters, digits, _ or -)`);
    else if (!badgeCatalogue.has(badge)) reasons.push(`badge ${JSON.stringify(badge)} is not in the bot's catalogue`);
  }

  const stats = statsOf(statsValue, now, reasons);

  let sessionJson: string | null = null;
  const session = row.session ?? row.session_data;
  if (session !== undefined && session !== null) {
    if (!isObject(session)) reasons.push('session is not an object');
    else if (Object.keys(session).length > 0) {
      sessionJson = JSON.stringify(session);
      const bytes = Buffer.byteLength(sessionJson, 'utf8');
      if (bytes > SESSION_MAX_BYTES) reasons.push(`session of ${bytes} bytes is over ${SESSION_MAX_BYTES}`);
    }
  }

  if (reasons.length > 0) return { key, reasons };
  return {
    telegramUserId: key,
    profile: { firstName: firstName!, ...(username ? { username } : {}), ...(lastName ? { lastName } : {}), ...(languageCode ? { languageCode } : {}) },
    xp: xp!,
    level,
    badges: [...badges],
    stats,
    sessionJson,
  };
}

function statsOf(value: unknown, now: Date, reasons: string[]): LegacyUser['stats'] {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    reasons.push('stats is not an object');
    return null;
  }
  const total = wholeNumber(value.total_trainings ?? 0);
  if (total === null || total < 0 || total > MAX_ACTIVITIES) {
    reasons.push(`stats.total_trainings ${JSON.stringify(value.total_trainings)} is not a whole number from 0 to ${MAX_ACTIVITIES}`);
    return null;
  }
  let bestScore: number | null = null;
  if (value.best_score !== undefined && value.best_score !== null) {
    bestScore = wholeNumber(value.best_score);
    if (bestScore === null) reasons.push(`stats.best_score ${JSON.stringify(value.best_score)} is not a whole number`);
  }
  if (total === 0) return null;
  const last = value.last_training_date;
  if (typeof last !== 'string') {
    reasons.push('stats.total_trainings without a stats.last_training_date');
    return null;
  }
  // Seed 003 wrote Python's isoformat() without a zone: read as UTC.
  const at = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(last) ? last : `${last}Z`);
  if (Number.isNaN(at.getTime())) reasons.push(`stats.last_training_date ${JSON.stringify(last)} is not a date`);
  else if (at.getTime() > now.getTime()) reasons.push(`stats.last_training_date ${last} is in the future`);
  return { totalActivities: total, bestScore, lastActivityAt: at.toISOString() };
}

/** Badge keys: strings, or seed 003's UserBadge objects (`badge_type`). */
function badgesOf(value: unknown, field: string, reasons: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    reasons.push(`${field} is not a list`);
    return [];
  }
  const keys: string[] = [];
  for (const badge of value) {
    const key = typeof badge === 'string' ? badge : isObject(badge) ? (badge.badge_type ?? badge.key) : undefined;
    if (typeof key === 'string') keys.push(key);
    else reasons.push(`${field} holds ${JSON.stringify(badge)}, not a badge`);
  }
  return keys;
}

function optionalText(row: Record<string, unknown>, field: string, max: number, reasons: string[]): string | undefined {
  const value = row[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    reasons.push(`${field} is not text`);
    return undefined;
  }
  if ([...value].length > max) reasons.push(`${field} is over ${max} characters`);
  return value;
}

function wholeNumber(value: unknown): number | null {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
