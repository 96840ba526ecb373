/**
 * A moment a message shows: as the bot's local date, or its local date and time with the zone's name.
 * Rules pass the instant; the dispatcher formats it in the bot's time zone when it renders the message,
 * so a subscription ending at 2026-12-31 20:00 UTC ends on 2027-01-01 for a bot in Auckland.
 */
export interface LocalTime {
  readonly at: Date;
  readonly show: 'date' | 'date-time';
}

export const localTime = (at: Date, show: LocalTime['show']): LocalTime => ({ at, show });

export function isLocalTime(value: unknown): value is LocalTime {
  return typeof value === 'object' && value !== null && (value as LocalTime).at instanceof Date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // en-CA's parts are numeric and zero-padded; hourCycle h23 keeps midnight at 00, not 24.
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** "2026-12-31", or "2026-12-31 13:00 Europe/Berlin" ("… UTC" for UTC), in `timeZone`. */
export function formatLocalTime(value: LocalTime, timeZone: string): string {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(value.at)
      .map((part) => [part.type, part.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return value.show === 'date' ? date : `${date} ${parts.hour}:${parts.minute} ${timeZone}`;
}

/** The IANA zone named by a setting's value, or null when it names none this runtime knows (then UTC applies). */
export function knownTimeZone(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
