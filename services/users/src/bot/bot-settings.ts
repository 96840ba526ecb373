import { InvalidSettingError, InvalidTimezoneError, SettingTypeMismatchError } from './bot.errors.js';

/** The types a setting's value can have (proto SettingType without UNSPECIFIED). */
export type SettingValueType = 'string' | 'int' | 'bool' | 'json';
export const SETTING_VALUE_TYPES: readonly SettingValueType[] = ['string', 'int', 'bool', 'json'];

/** A setting as the bot keeps it: the value already parsed from JSON. */
export interface SettingValue {
  readonly type: SettingValueType;
  readonly value: unknown;
  readonly description: string;
}

interface BuiltInSetting {
  readonly type: SettingValueType;
  readonly description: string;
  /** Throws InvalidSettingError (or a more precise typed error) for a value of the right type but wrong content. */
  validate(key: string, value: unknown): void;
}

// Quota limits go to ConsumeQuotaReply.limit, an int32.
const MAX_QUOTA = 2_147_483_647;
const MAX_STRING_LENGTH = 4_096;
const MAX_REMINDERS = 5;
/** A value as JSON text, whatever its type: the bound of rpc.users.set-setting's `valueJson`, for HTTP too. */
const MAX_VALUE_JSON_LENGTH = 16_384;
/**
 * How deeply a json value may nest. Every reader of a setting (the bots' features, sameJson here) walks
 * it recursively; a menu of menus needs a handful of levels.
 */
const MAX_VALUE_DEPTH = 32;

const quota = (who: string): BuiltInSetting => ({
  type: 'int',
  description: `Daily usage quota of ${who}; no setting means unlimited`,
  validate: (key, value) => {
    if ((value as number) < 0) throw new InvalidSettingError(key, 'a quota cannot be negative');
    if ((value as number) > MAX_QUOTA) throw new InvalidSettingError(key, `a quota is at most ${MAX_QUOTA}`);
  },
});

const BUILT_IN: Readonly<Record<string, BuiltInSetting>> = {
  timezone: {
    type: 'string',
    description: "IANA time zone of the bot's day (the quota resets at its local midnight)",
    validate: (key, value) => {
      if (!isValidTimezone(value as string)) throw new InvalidSettingError(key, `unknown time zone ${JSON.stringify(value)}`);
    },
  },
  default_language: {
    type: 'string',
    description: 'Language of users whose Telegram language the bot does not speak',
    validate: (key, value) => {
      if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(value as string)) throw new InvalidSettingError(key, 'not a language code such as "en" or "ru"');
    },
  },
  // Read by the subscriptions service (its consumer subscriptions--reminder-days), which reminds at 3 and
  // 1 days without it.
  'subscriptions.reminder_days': {
    type: 'json',
    description: 'Days before the end of a subscription period its member is reminded, e.g. [3, 1]; [] for none',
    validate: (key, value) => {
      const days = value as unknown[];
      if (!Array.isArray(days) || days.length > MAX_REMINDERS || !days.every((d) => Number.isSafeInteger(d) && (d as number) >= 1 && (d as number) <= 365)) {
        throw new InvalidSettingError(key, `a list of at most ${MAX_REMINDERS} whole days from 1 to 365, such as [3, 1]`);
      }
    },
  },
  'quota.daily.user': quota('members'),
  'quota.daily.admin': quota('admins'),
  'quota.daily.owner': quota('the owner'),
};

const PLAN_QUOTA = /^quota\.daily\.plan\.([a-z0-9][a-z0-9_-]{0,31})$/;
/** Lower-case dotted words: `referrals`, `payments.stars`, `quota.daily.plan.pro`. */
export const SETTING_KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)*$/;
const MAX_KEY_LENGTH = 100;

/** The built-in definition of a key, or undefined for a custom key. */
function builtInSetting(key: string): BuiltInSetting | undefined {
  if (Object.hasOwn(BUILT_IN, key)) return BUILT_IN[key];
  const plan = PLAN_QUOTA.exec(key);
  return plan ? quota(`members on the plan "${plan[1]}"`) : undefined;
}

/** True for the keys whose type and validation the platform fixes (timezone, default_language, quota.daily.*). */
export const isBuiltInSetting = (key: string): boolean => builtInSetting(key) !== undefined;

/** The fixed description of a built-in key. */
export const builtInDescription = (key: string): string | undefined => builtInSetting(key)?.description;

/** True when the runtime knows `timezone` as an IANA zone name (offsets such as "+03:00" are refused). */
export function isValidTimezone(timezone: string): boolean {
  if (typeof timezone !== 'string' || !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Throws InvalidTimezoneError unless `timezone` is a known IANA zone. */
export function assertTimezone(timezone: string): void {
  if (!isValidTimezone(timezone)) throw new InvalidTimezoneError(timezone);
}

export interface SettingWrite {
  readonly key: string;
  /** The declared type; required on the first write of a custom key. */
  readonly type?: SettingValueType;
  readonly valueJson: string;
  readonly description?: string;
}

/**
 * Checks a write against the key's rules and what the bot already has, and returns the setting it
 * would become. Built-in keys have a fixed type and validator; a custom key gets its type and its
 * description from its first write and keeps that type.
 */
export function validateSettingWrite(write: SettingWrite, current: SettingValue | undefined): SettingValue {
  const { key } = write;
  if (key.length > MAX_KEY_LENGTH || !SETTING_KEY.test(key)) throw new InvalidSettingError(key, 'keys are lower-case dotted words');
  const builtIn = builtInSetting(key);
  if (!builtIn && key.startsWith('quota.')) throw new InvalidSettingError(key, 'quota.* is reserved for quota.daily.user|admin|owner|plan.<plan>');
  const type = builtIn?.type ?? current?.type ?? write.type;
  if (!type) throw new InvalidSettingError(key, 'a new setting needs a type');
  if (write.type && write.type !== type) throw new SettingTypeMismatchError(key, type, write.type);
  const description = write.description?.trim() || current?.description || builtIn?.description;
  if (!description) throw new InvalidSettingError(key, 'a new setting needs a description');
  if (description.length > 500) throw new InvalidSettingError(key, 'the description is longer than 500 characters');
  if (write.valueJson.length > MAX_VALUE_JSON_LENGTH) throw new InvalidSettingError(key, `a value is at most ${MAX_VALUE_JSON_LENGTH} characters of JSON`);
  let value: unknown;
  try {
    value = JSON.parse(write.valueJson);
  } catch {
    throw new InvalidSettingError(key, 'the value is not JSON');
  }
  const unstorable = unstorableJsonOf(value);
  if (unstorable) throw new InvalidSettingError(key, unstorable);
  const actual = valueTypeOf(value);
  if (actual !== type && !(type === 'json' && actual !== undefined)) throw new SettingTypeMismatchError(key, type, actual ?? 'null');
  if (type === 'string' && (value as string).length > MAX_STRING_LENGTH)
    throw new InvalidSettingError(key, `strings are at most ${MAX_STRING_LENGTH} characters`);
  builtIn?.validate(key, value);
  return { type, value, description };
}

/**
 * Why a parsed value cannot be kept, or undefined: nested deeper than MAX_VALUE_DEPTH, or a string or key
 * with a NUL character, which PostgreSQL refuses in jsonb and text (an escaped `\u0000` in valueJson
 * gets past the transport's screen, which sees only the text).
 */
function unstorableJsonOf(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? 'a value cannot contain the NUL character (U+0000)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_VALUE_DEPTH) return `a value nests at most ${MAX_VALUE_DEPTH} levels deep`;
  for (const [key, child] of Object.entries(value)) {
    const problem = key.includes('\u0000') ? 'a value cannot contain the NUL character (U+0000)' : unstorableJsonOf(child, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** The type a parsed JSON value fits best; undefined for null (no type holds it, json included). */
function valueTypeOf(value: unknown): SettingValueType | undefined {
  if (value === null) return undefined;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int' : 'json';
  return 'json';
}

/** Deep equality of two JSON values (object keys in any order). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => sameJson(item, (b as unknown[])[i]));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length && keysA.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
