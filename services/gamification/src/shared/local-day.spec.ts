import { describe, expect, it } from '@jest/globals';
import { periodStartOf } from './local-day.js';

describe("A period's first local date", () => {
  it("starts the week on the bot's Monday 00:00, which is not UTC's Monday in Auckland or Los Angeles", () => {
    // Sunday 6 Dec 2026 11:00 UTC is Monday 00:00 in Auckland (UTC+13).
    expect(periodStartOf('week', new Date('2026-12-06T10:59:59.999Z'), 'Pacific/Auckland')).toBe('2026-11-30');
    expect(periodStartOf('week', new Date('2026-12-06T11:00:00.000Z'), 'Pacific/Auckland')).toBe('2026-12-07');
    expect(periodStartOf('week', new Date('2026-12-06T11:00:00.000Z'), 'UTC')).toBe('2026-11-30');
    // Monday 7 Dec 2026 07:59 UTC is still Sunday in Los Angeles (UTC-8).
    expect(periodStartOf('week', new Date('2026-12-07T07:59:00.000Z'), 'America/Los_Angeles')).toBe('2026-11-30');
    expect(periodStartOf('week', new Date('2026-12-07T08:00:00.000Z'), 'America/Los_Angeles')).toBe('2026-12-07');
    expect(periodStartOf('week', new Date('2026-12-07T08:00:00.000Z'), 'UTC')).toBe('2026-12-07');
  });

  it('keeps a Monday its own week start, and crosses months and years', () => {
    expect(periodStartOf('week', new Date('2026-11-30T00:00:00.000Z'), 'UTC')).toBe('2026-11-30');
    expect(periodStartOf('week', new Date('2027-01-03T12:00:00.000Z'), 'UTC')).toBe('2026-12-28');
  });

  it("starts the month on the bot's 1st", () => {
    expect(periodStartOf('month', new Date('2026-11-30T10:59:00.000Z'), 'Pacific/Auckland')).toBe('2026-11-01');
    expect(periodStartOf('month', new Date('2026-11-30T11:00:00.000Z'), 'Pacific/Auckland')).toBe('2026-12-01');
    expect(periodStartOf('month', new Date('2027-01-01T07:00:00.000Z'), 'America/Los_Angeles')).toBe('2026-12-01');
  });
});
