import { BotAddedToGroupSchema, BotRemovedFromGroupSchema, timestampFromDate } from '@botplatform/contracts';
import type { PublicEventMapper } from '@botplatform/bus';
import type { RecordedEvent } from '@botplatform/event-store';
import type { BotGroupEvent } from './bot-group.decider.js';

const at = (iso: string) => timestampFromDate(new Date(iso));

/** Bot group events as other services see them (proto/botplatform/users/v1/bot_groups.proto); a group's creation stays internal. */
export const botGroupPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<BotGroupEvent>;
  switch (event.type) {
    case 'BotAddedToGroup':
      return {
        schema: BotAddedToGroupSchema,
        message: {
          groupId: event.data.groupId,
          botId: event.data.botId,
          ownerTelegramUserId: BigInt(event.data.ownerTelegramUserId),
          botName: event.data.botName,
          addedAt: at(event.data.addedAt),
        },
      };
    case 'BotRemovedFromGroup':
      return { schema: BotRemovedFromGroupSchema, message: { groupId: event.data.groupId, botId: event.data.botId, removedAt: at(event.data.removedAt) } };
    default:
      return null;
  }
};
