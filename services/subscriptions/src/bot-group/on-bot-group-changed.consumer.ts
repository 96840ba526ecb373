import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { BotAddedToGroupSchema, BotRemovedFromGroupSchema, isEventOf, subjectOf, timestampDate } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';

/**
 * Each bot's group follows the users service's bot group events (users.bot_group.bot_added / bot_removed),
 * so an access check in a bot can find the group-shared subscriptions of the member in its group's other
 * bots. An event redelivered, or older than the one applied, changes nothing.
 */
export const onBotGroupChanged: ConsumerDefinition = {
  name: 'subscriptions--bot-groups',
  source: 'users',
  subjects: [subjectOf(BotAddedToGroupSchema), subjectOf(BotRemovedFromGroupSchema)],
  handle: async (event, { em }) => {
    let botId: string;
    let groupId: string | null;
    let at: Date;
    if (isEventOf(event, BotAddedToGroupSchema)) {
      if (!event.message.addedAt) throw new ParkEventError('users.bot_group.bot_added without added_at');
      ({ botId, groupId } = event.message);
      at = timestampDate(event.message.addedAt);
    } else if (isEventOf(event, BotRemovedFromGroupSchema)) {
      if (!event.message.removedAt) throw new ParkEventError('users.bot_group.bot_removed without removed_at');
      botId = event.message.botId;
      groupId = null;
      at = timestampDate(event.message.removedAt);
    } else {
      throw new ParkEventError(`unexpected ${event.subject}`);
    }
    await runSql(
      em,
      `INSERT INTO subscriptions.bot_groups (bot_id, group_id, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (bot_id) DO UPDATE SET group_id = excluded.group_id, changed_at = excluded.changed_at
         WHERE bot_groups.changed_at <= excluded.changed_at`,
      [botId, groupId, at.toISOString()],
    );
  },
};
