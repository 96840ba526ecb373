/** Telegram's limit on `callback_data`, in bytes of UTF-8. */
export const CALLBACK_DATA_MAX_BYTES = 64;

const SEPARATOR = ':';

/** A callback namespace: the prefix that routes a button press to the service that owns it. */
export const CALLBACK_NAMESPACE = /^[a-z][a-z0-9]{0,11}$/;

/** Thrown when a button's data would not fit Telegram's limit: a programming error, caught in tests. */
export class CallbackDataTooLongError extends Error {
  readonly code = 'BOT.CALLBACK_DATA_TOO_LONG';
  constructor(readonly data: string) {
    super(`callback data "${data}" is longer than ${CALLBACK_DATA_MAX_BYTES} bytes`);
    this.name = 'CallbackDataTooLongError';
  }
}

/** A decoded button press: the action and its arguments. */
export interface CallbackCommand {
  readonly action: string;
  readonly args: readonly string[];
}

/** The namespace of callback data (`adm` of `adm:blk:42`), `undefined` when it has none. */
export function namespaceOfCallbackData(data: string | undefined): string | undefined {
  if (!data) return undefined;
  const end = data.indexOf(SEPARATOR);
  const namespace = end < 0 ? data : data.slice(0, end);
  return CALLBACK_NAMESPACE.test(namespace) ? namespace : undefined;
}

/** True when `data` fits Telegram's 64 bytes. */
export function fitsCallbackData(data: string): boolean {
  return Buffer.byteLength(data, 'utf8') <= CALLBACK_DATA_MAX_BYTES;
}

/**
 * Buttons of one feature: `<namespace>:<action>[:<arg>...]`, e.g. `adm:blk:123456`. The namespace routes
 * the press to the service that declared it. Arguments must not contain ":" (ids and dotted flag names
 * never do). The data is only an address: whoever handles the press checks the member's rights again.
 */
export class CallbackData {
  /** Matches every press of this namespace. */
  readonly pattern: RegExp;

  constructor(readonly namespace: string) {
    if (!CALLBACK_NAMESPACE.test(namespace)) throw new Error(`invalid callback namespace ${namespace}`);
    this.pattern = new RegExp(`^${namespace}${SEPARATOR}`);
  }

  /** @throws CallbackDataTooLongError when the result exceeds 64 bytes. */
  encode(action: string, ...args: readonly (string | number)[]): string {
    const data = this.join(action, args);
    if (!fitsCallbackData(data)) throw new CallbackDataTooLongError(data);
    return data;
  }

  /** True when the data fits; for buttons built from data of unknown length (flag names). */
  fits(action: string, ...args: readonly (string | number)[]): boolean {
    return fitsCallbackData(this.join(action, args));
  }

  /** `undefined` for another namespace's data. */
  decode(data: string | undefined): CallbackCommand | undefined {
    if (!data?.startsWith(`${this.namespace}${SEPARATOR}`)) return undefined;
    const [action = '', ...args] = data.slice(this.namespace.length + 1).split(SEPARATOR);
    if (action === '') return undefined;
    return { action, args };
  }

  private join(action: string, args: readonly (string | number)[]): string {
    return [this.namespace, action, ...args.map(String)].join(SEPARATOR);
  }
}
