import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The bot's opt-in to paid broadcasts: the users service's bot setting `paid_broadcasts` (a custom `bool`
 * setting, `PUT /admin/bots/:id/settings`), followed from `users.bot.setting_changed`. Anything but `true`
 * is off.
 */
export async function recordPaidBroadcasts(em: EntityManager, botId: string, valueJson: string): Promise<void> {
  let on = false;
  try {
    on = JSON.parse(valueJson) === true;
  } catch {
    on = false;
  }
  await runSql(
    em,
    `INSERT INTO notifications.notification_bots (bot_id, paid_broadcasts) VALUES ($1, $2)
     ON CONFLICT (bot_id) DO UPDATE SET paid_broadcasts = $2`,
    [botId, on],
  );
}
