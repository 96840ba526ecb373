import { DeciderSpecification } from '@botplatform/event-store';
import {
  BotAlreadyInGroupError,
  BotGroupAlreadyExistsError,
  BotGroupNotFoundError,
  GroupOwnerMismatchError,
  InvalidGroupNameError,
} from './bot-group.errors.js';
import { botGroupDecider, type AddBotToGroup, type BotAddedToGroup, type BotGroupCreated } from './bot-group.decider.js';

const GROUP = '4f1e0e2a-8c55-4d43-9a39-1a7f8d0c2b01';
const OTHER_GROUP = '4f1e0e2a-8c55-4d43-9a39-1a7f8d0c2b02';
const BOT_A = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const BOT_B = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e11';
const OWNER = 42;
const NOW = '2026-11-30T10:00:00.000Z';

const created: BotGroupCreated = { type: 'BotGroupCreated', data: { groupId: GROUP, ownerTelegramUserId: OWNER, name: 'Trainers', createdAt: NOW } };
const add = (botId: string, extra: Partial<AddBotToGroup> = {}): AddBotToGroup => ({
  type: 'AddBotToGroup',
  groupId: GROUP,
  botId,
  botName: 'Bot',
  botOwnerTelegramUserId: OWNER,
  currentGroupId: null,
  now: NOW,
  ...extra,
});
const added = (botId: string): BotAddedToGroup => ({
  type: 'BotAddedToGroup',
  data: { groupId: GROUP, botId, botName: 'Bot', ownerTelegramUserId: OWNER, addedAt: NOW },
});

describe('Bot group', () => {
  const spec = DeciderSpecification.for(botGroupDecider);

  it('is created for an owner with a trimmed name', () => {
    spec.given([]).when({ type: 'CreateBotGroup', groupId: GROUP, ownerTelegramUserId: OWNER, name: ' Trainers ', now: NOW }).then([created]);
  });

  it('is created once: the same creation again records nothing, another owner or name is refused', () => {
    spec.given([created]).when({ type: 'CreateBotGroup', groupId: GROUP, ownerTelegramUserId: OWNER, name: 'Trainers', now: NOW }).then([]);
    spec
      .given([created])
      .when({ type: 'CreateBotGroup', groupId: GROUP, ownerTelegramUserId: 7, name: 'Trainers', now: NOW })
      .thenThrows(BotGroupAlreadyExistsError, (e) => expect((e as BotGroupAlreadyExistsError).code).toBe('USERS.GROUP_ALREADY_EXISTS'));
  });

  it('refuses an empty or too long name', () => {
    spec.given([]).when({ type: 'CreateBotGroup', groupId: GROUP, ownerTelegramUserId: OWNER, name: '  ', now: NOW }).thenThrows(InvalidGroupNameError);
    spec
      .given([])
      .when({ type: 'CreateBotGroup', groupId: GROUP, ownerTelegramUserId: OWNER, name: 'x'.repeat(101), now: NOW })
      .thenThrows(InvalidGroupNameError);
  });

  it('adds bots of its owner', () => {
    spec
      .given([created])
      .when(add(BOT_A))
      .then([added(BOT_A)]);
    spec
      .given([created, added(BOT_A)])
      .when(add(BOT_B))
      .then([added(BOT_B)]);
  });

  it('refuses a bot of another owner with USERS.GROUP_OWNER_MISMATCH', () => {
    spec
      .given([created])
      .when(add(BOT_B, { botOwnerTelegramUserId: 7 }))
      .thenThrows(GroupOwnerMismatchError, (e) => expect((e as GroupOwnerMismatchError).code).toBe('USERS.GROUP_OWNER_MISMATCH'));
  });

  it('refuses a bot that is in another group', () => {
    spec
      .given([created])
      .when(add(BOT_A, { currentGroupId: OTHER_GROUP }))
      .thenThrows(BotAlreadyInGroupError, (e) => expect((e as BotAlreadyInGroupError).currentGroupId).toBe(OTHER_GROUP));
  });

  it('records nothing when a member is added again', () => {
    spec
      .given([created, added(BOT_A)])
      .when(add(BOT_A, { currentGroupId: GROUP }))
      .then([]);
  });

  it('removes a member, and removing a bot that is not in it records nothing', () => {
    const removed = { type: 'BotRemovedFromGroup' as const, data: { groupId: GROUP, botId: BOT_A, removedAt: NOW } };
    spec
      .given([created, added(BOT_A)])
      .when({ type: 'RemoveBotFromGroup', groupId: GROUP, botId: BOT_A, now: NOW })
      .then([removed]);
    spec
      .given([created, added(BOT_A), removed])
      .when({ type: 'RemoveBotFromGroup', groupId: GROUP, botId: BOT_A, now: NOW })
      .then([]);
    spec
      .given([created, added(BOT_A), removed])
      .when(add(BOT_A))
      .then([added(BOT_A)]);
  });

  it('refuses changes to a group that does not exist', () => {
    spec
      .given([])
      .when(add(BOT_A))
      .thenThrows(BotGroupNotFoundError, (e) => expect((e as BotGroupNotFoundError).code).toBe('USERS.GROUP_NOT_FOUND'));
    spec.given([]).when({ type: 'RemoveBotFromGroup', groupId: GROUP, botId: BOT_A, now: NOW }).thenThrows(BotGroupNotFoundError);
  });
});
