import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { BotAddedToGroupSchema, BotRemovedFromGroupSchema, isEventOf, subjectOf, timestampDate } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';

/**
 * Each bot's group follows the users service's bot group events: XP, level and badges are shared by the
 * bots of a group (bot-group-directory.ts). An event redelivered, or older than the one applied, changes nothing.
 * `tx` marks the row for the in-memory group boards of every replica (LeaderboardIndex.followGroups).
 */
export const onBotGroupChanged: ConsumerDefinition = {
  name: 'gamification--bot-groups',
  source: 'users',
  subjects: [subjectOf(BotAddedToGroupSchema), subjectOf(BotRemovedFromGroupSchema)],
  handle: async (event, { em }) => {
    if (isEventOf(event, BotAddedToGroupSchema)) {
      const { message } = event;
      if (!message.addedAt) throw new ParkEventError('users.bot_group.bot_added without added_at');
      await runSql(
        em,
        `INSERT INTO gamification.bot_groups (bot_id, group_id, bot_name, changed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (bot_id) DO UPDATE SET group_id = excluded.group_id, bot_name = excluded.bot_name, changed_at = excluded.changed_at,
             tx = pg_current_xact_id()
           WHERE bot_groups.changed_at <= excluded.changed_at`,
        [message.botId, message.groupId, message.botName, timestampDate(message.addedAt).toISOString()],
      );
      return;
    }
    if (isEventOf(event, BotRemovedFromGroupSchema)) {
      const { message } = event;
      if (!message.removedAt) throw new ParkEventError('users.bot_group.bot_removed without removed_at');
      await runSql(
        em,
        `INSERT INTO gamification.bot_groups (bot_id, group_id, bot_name, changed_at) VALUES ($1, NULL, '', $2)
         ON CONFLICT (bot_id) DO UPDATE SET group_id = NULL, changed_at = excluded.changed_at, tx = pg_current_xact_id()
           WHERE bot_groups.changed_at <= excluded.changed_at`,
        [message.botId, timestampDate(message.removedAt).toISOString()],
      );
      return;
    }
    throw new ParkEventError(`unexpected ${event.subject}`);
  },
};
