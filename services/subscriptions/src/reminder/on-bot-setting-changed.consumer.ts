import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { BotSettingChangedSchema, isEventOf, subjectOf, timestampDate } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { Logger } from '@nestjs/common';
import { REMINDER_DAYS_SETTING, parseReminderDays } from './reminder-days.js';

const logger = new Logger('ReminderDays');

/**
 * A bot's reminder days follow its setting `subscriptions.reminder_days` in the users service (where bot
 * settings live, typed and validated). Periods started or extended afterwards are reminded at the new days.
 */
export const onBotSettingChanged: ConsumerDefinition = {
  name: 'subscriptions--reminder-days',
  source: 'users',
  subjects: [subjectOf(BotSettingChangedSchema)],
  handle: async (event, { em }) => {
    if (!isEventOf(event, BotSettingChangedSchema)) throw new ParkEventError(`unexpected ${event.subject}`);
    const { message } = event;
    if (message.key !== REMINDER_DAYS_SETTING) return;
    if (!message.changedAt) throw new ParkEventError('users.bot.setting_changed without changed_at');
    let value: unknown;
    try {
      value = JSON.parse(message.valueJson);
    } catch {
      value = undefined;
    }
    const days = parseReminderDays(value);
    if (!days) {
      // The users service validates the built-in setting; a value it let through is kept out, not retried.
      logger.warn(`bot ${message.botId}: ${REMINDER_DAYS_SETTING} = ${message.valueJson} is not a list of days, ignored`);
      return;
    }
    await runSql(
      em,
      `INSERT INTO subscriptions.bot_reminder_days (bot_id, days, changed_at) VALUES ($1, $2::integer[], $3)
       ON CONFLICT (bot_id) DO UPDATE SET days = excluded.days, changed_at = excluded.changed_at
         WHERE bot_reminder_days.changed_at <= excluded.changed_at`,
      [message.botId, days, timestampDate(message.changedAt).toISOString()],
    );
  },
};
