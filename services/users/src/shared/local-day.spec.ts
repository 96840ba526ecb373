import { localDateOf, nextLocalMidnight, startOfLocalDay } from './local-day.js';

describe('Local days', () => {
  it('reads the calendar date in the zone, not in UTC', () => {
    expect(localDateOf(new Date('2026-11-23T22:30:00Z'), 'Asia/Kolkata')).toBe('2026-11-24');
    expect(localDateOf(new Date('2026-11-23T22:30:00Z'), 'UTC')).toBe('2026-11-23');
    expect(localDateOf(new Date('2026-11-24T03:00:00Z'), 'America/New_York')).toBe('2026-11-23');
  });

  it('finds the next midnight of a half-hour zone (Asia/Kolkata, +5:30)', () => {
    expect(nextLocalMidnight(new Date('2026-11-23T10:00:00Z'), 'Asia/Kolkata').toISOString()).toBe('2026-11-23T18:30:00.000Z');
    // 18:30 UTC is already midnight there: the next one is a day later.
    expect(nextLocalMidnight(new Date('2026-11-23T18:30:00Z'), 'Asia/Kolkata').toISOString()).toBe('2026-11-24T18:30:00.000Z');
  });

  it('finds the midnight after a spring-forward day in Europe/Berlin (a 23-hour day)', () => {
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; the next midnight is at +02:00.
    expect(nextLocalMidnight(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfLocalDay(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('finds the midnight after a fall-back day in Europe/Berlin (a 25-hour day)', () => {
    // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET; the day started at +02:00 and ends at +01:00.
    expect(startOfLocalDay(new Date('2026-10-25T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(nextLocalMidnight(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('takes the first minute of a day whose midnight DST skips (America/Santiago, 2026-09-06)', () => {
    // Chile springs forward at 24:00 → 01:00, so that date has no midnight.
    expect(nextLocalMidnight(new Date('2026-09-05T20:00:00Z'), 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(localDateOf(new Date('2026-09-06T04:00:00Z'), 'America/Santiago')).toBe('2026-09-06');
    expect(localDateOf(new Date('2026-09-06T03:59:00Z'), 'America/Santiago')).toBe('2026-09-05');
  });

  it('gives UTC days of exactly 24 hours', () => {
    expect(nextLocalMidnight(new Date('2026-12-31T23:59:59.999Z'), 'UTC').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
