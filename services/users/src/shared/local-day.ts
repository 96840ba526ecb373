const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date (`YYYY-MM-DD`) at `instant` in an IANA time zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const MINUTE = 60_000;

/**
 * The first instant of a local calendar date in a time zone: its midnight, or the first minute after it
 * where a DST jump skips midnight. Found by bisection on whole minutes between the widest offsets the
 * world uses (UTC-12 .. UTC+14), because offset arithmetic goes wrong exactly on the days that change it.
 */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  const wallMidnight = Date.UTC(year, month - 1, day);
  let before = wallMidnight / MINUTE - 15 * 60; // surely still the previous local date
  let atOrAfter = wallMidnight / MINUTE + 13 * 60; // surely already this date
  while (atOrAfter - before > 1) {
    const middle = Math.floor((before + atOrAfter) / 2);
    if (localDateOf(new Date(middle * MINUTE), timeZone) < date) before = middle;
    else atOrAfter = middle;
  }
  return new Date(atOrAfter * MINUTE);
}

/** The first instant of the local day that contains `instant`. */
export function startOfLocalDay(instant: Date, timeZone: string): Date {
  return startOfLocalDate(localDateOf(instant, timeZone), timeZone);
}

/** The next local midnight after `instant`: when a daily quota resets. */
export function nextLocalMidnight(instant: Date, timeZone: string): Date {
  const [year, month, day] = localDateOf(instant, timeZone).split('-').map(Number);
  const tomorrow = new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
  return startOfLocalDate(tomorrow, timeZone);
}
