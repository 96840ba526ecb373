import { Int64OutOfRangeError } from './contracts.errors.js';
import { int64ToNumber, numberToInt64 } from './int64.js';

describe('int64 conversions', () => {
  it('round-trips the largest safe integer exactly', () => {
    expect(numberToInt64(Number.MAX_SAFE_INTEGER)).toBe(9_007_199_254_740_991n);
    expect(int64ToNumber(9_007_199_254_740_991n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(int64ToNumber(-9_007_199_254_740_991n)).toBe(Number.MIN_SAFE_INTEGER);
  });

  it('refuses a bigint a number cannot hold exactly', () => {
    expect(() => int64ToNumber(9_007_199_254_740_992n)).toThrow(Int64OutOfRangeError);
  });

  it('refuses a number that is not a safe integer', () => {
    expect(() => numberToInt64(1.5)).toThrow(Int64OutOfRangeError);
    expect(() => numberToInt64(2 ** 53)).toThrow(Int64OutOfRangeError);
  });
});
