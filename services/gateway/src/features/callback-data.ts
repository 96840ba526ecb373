/** Telegram's limit on `callback_data`, in bytes of UTF-8. */
export const CALLBACK_DATA_MAX_BYTES = 64;

const SEPARATOR = ':';

/** Thrown when a button's data would not fit Telegram's limit: a programming error, caught in tests. */
export class CallbackDataTooLongError extends Error {
  readonly code = 'GATEWAY.CALLBACK_DATA_TOO_LONG';
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

/**
 * Buttons of one feature: `<prefix>:<action>[:<arg>...]`, e.g. `adm:blk:123456`. The prefix routes the
 * press to its feature. Arguments must not contain ":" (ids and dotted flag names never do).
 */
export class CallbackData {
  /** Matches every press of this feature, for `composer.callbackQuery(data.pattern, ...)`. */
  readonly pattern: RegExp;

  constructor(readonly prefix: string) {
    if (!/^[a-z]{1,8}$/.test(prefix)) throw new Error(`invalid callback prefix ${prefix}`);
    this.pattern = new RegExp(`^${prefix}${SEPARATOR}`);
  }

  /** @throws CallbackDataTooLongError when the result exceeds 64 bytes. */
  encode(action: string, ...args: readonly (string | number)[]): string {
    const data = [this.prefix, action, ...args.map(String)].join(SEPARATOR);
    if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_MAX_BYTES) throw new CallbackDataTooLongError(data);
    return data;
  }

  /** True when the data fits; for buttons built from data of unknown length (flag names). */
  fits(action: string, ...args: readonly (string | number)[]): boolean {
    return Buffer.byteLength([this.prefix, action, ...args.map(String)].join(SEPARATOR), 'utf8') <= CALLBACK_DATA_MAX_BYTES;
  }

  /** `undefined` for another feature's data. */
  decode(data: string | undefined): CallbackCommand | undefined {
    if (!data?.startsWith(`${this.prefix}${SEPARATOR}`)) return undefined;
    const [action = '', ...args] = data.slice(this.prefix.length + 1).split(SEPARATOR);
    if (action === '') return undefined;
    return { action, args };
  }
}
