import { describe, expect, it } from '@jest/globals';
import { formatLocalTime, knownTimeZone, localTime } from './local-time.js';

describe('A moment in the bot’s time zone', () => {
  it('shows the local date, which is the next day east of UTC late in the evening', () => {
    const endsAt = new Date('2026-12-31T20:00:00Z');
    expect(formatLocalTime(localTime(endsAt, 'date'), 'UTC')).toBe('2026-12-31');
    expect(formatLocalTime(localTime(endsAt, 'date'), 'Pacific/Auckland')).toBe('2027-01-01');
    expect(formatLocalTime(localTime(endsAt, 'date'), 'America/Los_Angeles')).toBe('2026-12-31');
  });

  it('shows the local date and time with the zone, across a daylight saving change and at midnight', () => {
    // Berlin: UTC+1 in winter, UTC+2 from 2026-03-29 01:00 UTC.
    expect(formatLocalTime(localTime(new Date('2026-03-29T00:30:00Z'), 'date-time'), 'Europe/Berlin')).toBe('2026-03-29 01:30 Europe/Berlin');
    expect(formatLocalTime(localTime(new Date('2026-03-29T01:30:00Z'), 'date-time'), 'Europe/Berlin')).toBe('2026-03-29 03:30 Europe/Berlin');
    expect(formatLocalTime(localTime(new Date('2026-12-30T23:00:00Z'), 'date-time'), 'Europe/Berlin')).toBe('2026-12-31 00:00 Europe/Berlin');
    expect(formatLocalTime(localTime(new Date('2026-12-30T12:00:00Z'), 'date-time'), 'UTC')).toBe('2026-12-30 12:00 UTC');
  });

  it('knows the zones of the IANA database in their canonical spelling, and nothing else', () => {
    expect(knownTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(knownTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(knownTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(knownTimeZone('')).toBeNull();
    expect(knownTimeZone(42)).toBeNull();
  });
});
