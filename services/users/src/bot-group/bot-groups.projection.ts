import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BOT_GROUP_EVENT_TYPES, type BotGroupEvent } from './bot-group.decider.js';
import { BotGroup, BotGroupMember } from './bot-group.entity.js';

const isBotGroupEvent = (event: RecordedEvent): event is RecordedEvent<BotGroupEvent> => (BOT_GROUP_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The groups and their members (bot_groups, bot_group_members), written in the append's transaction. Two
 * groups adding one bot at once both pass their decider; the second insert fails on the member key and
 * rolls its append back (BotGroups turns that into USERS.BOT_ALREADY_IN_GROUP).
 */
export const botGroupsProjection: InlineProjection = {
  name: 'users.bot-groups',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isBotGroupEvent(event)) continue;
      switch (event.type) {
        case 'BotGroupCreated':
          await em.insert(BotGroup, {
            groupId: event.data.groupId,
            ownerTelegramUserId: String(event.data.ownerTelegramUserId),
            name: event.data.name,
            createdAt: new Date(event.data.createdAt),
          });
          break;
        case 'BotAddedToGroup':
          await em.insert(BotGroupMember, { botId: event.data.botId, groupId: event.data.groupId, addedAt: new Date(event.data.addedAt) });
          break;
        case 'BotRemovedFromGroup':
          await em.nativeDelete(BotGroupMember, { botId: event.data.botId, groupId: event.data.groupId });
          break;
      }
    }
  },
};
