import type { SettingTypeJson } from '@botplatform/contracts';
import type { SettingValueType } from '../bot/bot-settings.js';

/** A setting as an admin types it in the menu. */
export interface TypedSetting {
  readonly key: string;
  readonly valueJson: string;
  /** The type a new custom key gets, from its JSON value. */
  readonly type: SettingTypeJson;
}

const VALUE_TYPES: Readonly<Record<SettingTypeJson, SettingValueType | undefined>> = {
  SETTING_TYPE_UNSPECIFIED: undefined,
  SETTING_TYPE_STRING: 'string',
  SETTING_TYPE_INT: 'int',
  SETTING_TYPE_BOOL: 'bool',
  SETTING_TYPE_JSON: 'json',
};

/** The registry's value type of a contract setting type. */
export function settingValueTypeOf(type: SettingTypeJson): SettingValueType | undefined {
  return VALUE_TYPES[type];
}

/** A setting as an admin types it: `key=<JSON value>`; the type of a new key follows the value. */
export function parseSetting(text: string): TypedSetting | undefined {
  const separator = text.indexOf('=');
  if (separator <= 0) return undefined;
  const key = text.slice(0, separator).trim();
  const raw = text.slice(separator + 1).trim();
  if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/.test(key) || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const type: SettingTypeJson =
    typeof value === 'string'
      ? 'SETTING_TYPE_STRING'
      : typeof value === 'boolean'
        ? 'SETTING_TYPE_BOOL'
        : typeof value === 'number' && Number.isSafeInteger(value)
          ? 'SETTING_TYPE_INT'
          : 'SETTING_TYPE_JSON';
  return { key, valueJson: JSON.stringify(value), type };
}
