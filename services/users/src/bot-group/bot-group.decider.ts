import type { Decider, DomainEvent } from '@botplatform/event-store';
import {
  BotAlreadyInGroupError,
  BotGroupAlreadyExistsError,
  BotGroupNotFoundError,
  GroupOwnerMismatchError,
  InvalidGroupNameError,
} from './bot-group.errors.js';

// ----- commands: ids, time and what the read models say about the bot are given by the use case -----

export interface CreateBotGroup {
  readonly type: 'CreateBotGroup';
  readonly groupId: string;
  readonly ownerTelegramUserId: number;
  readonly name: string;
  readonly now: string;
}

export interface AddBotToGroup {
  readonly type: 'AddBotToGroup';
  readonly groupId: string;
  readonly botId: string;
  /** The bot's display name (kept with the event: screens of the group's other bots show it). */
  readonly botName: string;
  /** The bot's owner, from the bots read model. */
  readonly botOwnerTelegramUserId: number;
  /** The group the bot is in now (the membership read model), null when none. */
  readonly currentGroupId: string | null;
  readonly now: string;
}

export interface RemoveBotFromGroup {
  readonly type: 'RemoveBotFromGroup';
  readonly groupId: string;
  readonly botId: string;
  readonly now: string;
}

export type BotGroupCommand = CreateBotGroup | AddBotToGroup | RemoveBotFromGroup;

export type BotGroupCreated = DomainEvent<'BotGroupCreated', { groupId: string; ownerTelegramUserId: number; name: string; createdAt: string }>;
export type BotAddedToGroup = DomainEvent<'BotAddedToGroup', { groupId: string; botId: string; botName: string; ownerTelegramUserId: number; addedAt: string }>;
export type BotRemovedFromGroup = DomainEvent<'BotRemovedFromGroup', { groupId: string; botId: string; removedAt: string }>;

export type BotGroupEvent = BotGroupCreated | BotAddedToGroup | BotRemovedFromGroup;

export const BOT_GROUP_EVENT_TYPES: readonly BotGroupEvent['type'][] = ['BotGroupCreated', 'BotAddedToGroup', 'BotRemovedFromGroup'];

export type BotGroupState =
  | { readonly status: 'none' }
  | { readonly status: 'created'; readonly groupId: string; readonly ownerTelegramUserId: number; readonly name: string; readonly botIds: readonly string[] };

/** The stream of one group. */
export const botGroupStreamId = (groupId: string): string => `bot-group-${groupId}`;

const created = (state: BotGroupState, groupId: string): Extract<BotGroupState, { status: 'created' }> => {
  if (state.status !== 'created') throw new BotGroupNotFoundError(groupId);
  return state;
};

/**
 * A bot group of one owner. Adding a bot of another owner is refused (USERS.GROUP_OWNER_MISMATCH), a bot
 * in another group too (USERS.BOT_ALREADY_IN_GROUP: it leaves first); adding a member again or removing a
 * bot that is not in the group records nothing, so a retried request changes nothing. That a bot is in at
 * most one group is also the membership read model's primary key (two groups racing for one bot: one wins).
 */
export const botGroupDecider: Decider<BotGroupState, BotGroupCommand, BotGroupEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'BotGroupCreated':
        return { status: 'created', groupId: event.data.groupId, ownerTelegramUserId: event.data.ownerTelegramUserId, name: event.data.name, botIds: [] };
      case 'BotAddedToGroup': {
        const group = created(state, event.data.groupId);
        return { ...group, botIds: [...group.botIds, event.data.botId] };
      }
      case 'BotRemovedFromGroup': {
        const group = created(state, event.data.groupId);
        return { ...group, botIds: group.botIds.filter((botId) => botId !== event.data.botId) };
      }
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'CreateBotGroup': {
        const name = command.name.trim();
        if (name.length < 1 || name.length > 100) throw new InvalidGroupNameError();
        if (state.status === 'created') {
          if (state.ownerTelegramUserId === command.ownerTelegramUserId && state.name === name) return [];
          throw new BotGroupAlreadyExistsError(command.groupId);
        }
        return [
          { type: 'BotGroupCreated', data: { groupId: command.groupId, ownerTelegramUserId: command.ownerTelegramUserId, name, createdAt: command.now } },
        ];
      }
      case 'AddBotToGroup': {
        const group = created(state, command.groupId);
        if (command.botOwnerTelegramUserId !== group.ownerTelegramUserId) throw new GroupOwnerMismatchError(group.groupId, command.botId);
        if (group.botIds.includes(command.botId)) return [];
        if (command.currentGroupId !== null && command.currentGroupId !== group.groupId)
          throw new BotAlreadyInGroupError(command.botId, command.currentGroupId);
        return [
          {
            type: 'BotAddedToGroup',
            data: {
              groupId: group.groupId,
              botId: command.botId,
              botName: command.botName,
              ownerTelegramUserId: group.ownerTelegramUserId,
              addedAt: command.now,
            },
          },
        ];
      }
      case 'RemoveBotFromGroup': {
        const group = created(state, command.groupId);
        if (!group.botIds.includes(command.botId)) return [];
        return [{ type: 'BotRemovedFromGroup', data: { groupId: group.groupId, botId: command.botId, removedAt: command.now } }];
      }
    }
  },
};
