const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone this runtime knows (Intl throws a RangeError for any other). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (`YYYY-MM-DD`) at `instant` in an IANA time zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The calendar date `days` after `date` (both `YYYY-MM-DD`): pure date arithmetic, no time zone involved. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The periods a board can cover besides all time. */
export type BoardPeriodKind = 'week' | 'month';

/**
 * The first local date of the period holding `instant` in `timeZone`: the week's Monday (a week starts on
 * Monday 00:00 local time) or the month's 1st. A period ends where the next one starts, so an instant before
 * the local Monday 00:00 counts in the week before, whatever UTC's weekday then is.
 */
export function periodStartOf(kind: BoardPeriodKind, instant: Date, timeZone: string): string {
  const today = localDateOf(instant, timeZone);
  if (kind === 'month') return `${today.slice(0, 8)}01`;
  const [year, month, day] = today.split('-').map(Number);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return addDays(today, -((weekday + 6) % 7));
}
