import { Int64OutOfRangeError } from './contracts.errors.js';

// protobuf-es v2 maps int64/uint64 to `bigint` (exact) or, with `[jstype = JS_STRING]`, to
// `string`; it ignores `JS_NUMBER`. The domain counts Telegram ids and stream positions in JS
// numbers, so these two checked conversions sit at the edge instead of a lossy `Number(x)`.

/**
 * Converts a number to the `bigint` a generated int64 field holds, e.g. a Telegram user id.
 * @throws Int64OutOfRangeError when `value` is not a safe integer (it would already be inexact).
 */
export function numberToInt64(value: number): bigint {
  if (!Number.isSafeInteger(value)) {
    throw new Int64OutOfRangeError(`${value} is not a safe integer, so it cannot be an exact int64`);
  }
  return BigInt(value);
}

/**
 * Converts a generated int64 field to a JS number, e.g. `int64ToNumber(event.telegramUserId)`.
 * Telegram user and chat ids have at most 52 significant bits, so they always fit.
 * @throws Int64OutOfRangeError when `value` is beyond ±(2^53 − 1), where a number would lose digits.
 */
export function int64ToNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Int64OutOfRangeError(`${value} does not fit a JS number exactly (beyond ±(2^53 − 1))`);
  }
  return Number(value);
}
