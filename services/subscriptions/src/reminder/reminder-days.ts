import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The users service's bot setting (a JSON array of whole days, e.g. `[7, 3, 1]`) this service follows. */
export const REMINDER_DAYS_SETTING = 'subscriptions.reminder_days';
/** Without the setting: 3 days and 1 day before the end. */
export const DEFAULT_REMINDER_DAYS: readonly number[] = [3, 1];
export const MAX_REMINDERS = 5;
export const MAX_REMINDER_DAYS = 365;

/**
 * The reminder days a setting's value gives, largest first without repeats; undefined when it is not an
 * array of at most 5 whole days from 1 to 365 (the users service refuses such a value when it is written).
 * An empty array turns the reminders off.
 */
export function parseReminderDays(value: unknown): readonly number[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_REMINDERS) return undefined;
  if (!value.every((days) => Number.isSafeInteger(days) && days >= 1 && days <= MAX_REMINDER_DAYS)) return undefined;
  return [...new Set(value as number[])].sort((a, b) => b - a);
}

/** A bot's reminder days as the last setting change left them, read through `em` (the append's transaction). */
export async function reminderDaysOf(em: EntityManager, botId: string): Promise<readonly number[]> {
  const [row] = await runSql<{ days: number[] }>(em, 'SELECT days FROM subscriptions.bot_reminder_days WHERE bot_id = $1', [botId]);
  return row ? row.days : DEFAULT_REMINDER_DAYS;
}
