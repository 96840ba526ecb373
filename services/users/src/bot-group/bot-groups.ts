import { correlationIdOrNew } from '@botplatform/bus';
import { CommandHandler, PostgresEventStore, type EventContext } from '@botplatform/event-store';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BotNotFoundError } from '../bot/bot.errors.js';
import { RegisteredBot } from '../bot/registered-bot.entity.js';
import { botGroupDecider, botGroupStreamId, type BotGroupCommand, type BotGroupEvent, type BotGroupState } from './bot-group.decider.js';
import { BotGroup, BotGroupMember } from './bot-group.entity.js';
import { BotAlreadyInGroupError, BotGroupNotFoundError } from './bot-group.errors.js';
import { botGroupsProjection } from './bot-groups.projection.js';

/** A group as the admin API answers it. */
export interface BotGroupViewJson {
  readonly groupId: string;
  readonly ownerTelegramUserId: string;
  readonly name: string;
  readonly botIds: readonly string[];
  readonly createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The bot groups' use cases (the admin API's): every change goes through the group decider with the
 * bot's owner and current group read from the read models; the read models are written in the append's
 * transaction. `requestedBy` is the admin principal ("operator").
 */
@Injectable()
export class BotGroups {
  private readonly commands: CommandHandler<BotGroupState, BotGroupCommand, BotGroupEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly orm: MikroORM,
  ) {
    this.commands = new CommandHandler(store, botGroupDecider, { projections: [botGroupsProjection] });
  }

  async create(input: { ownerTelegramUserId: number; name: string; groupId?: string }, requestedBy: string): Promise<BotGroupViewJson> {
    const groupId = input.groupId ?? randomUUID();
    await this.handle(
      groupId,
      { type: 'CreateBotGroup', groupId, ownerTelegramUserId: input.ownerTelegramUserId, name: input.name, now: new Date().toISOString() },
      requestedBy,
    );
    return this.view(groupId);
  }

  async addBot(groupId: string, botId: string, requestedBy: string): Promise<BotGroupViewJson> {
    await this.requireGroup(groupId);
    const em = this.orm.em.fork();
    const bot = UUID.test(botId) ? await em.findOne(RegisteredBot, { botId }) : null;
    if (!bot) throw new BotNotFoundError(botId);
    const current = await em.findOne(BotGroupMember, { botId });
    try {
      await this.handle(
        groupId,
        {
          type: 'AddBotToGroup',
          groupId,
          botId,
          botName: bot.name,
          botOwnerTelegramUserId: Number(bot.ownerTelegramUserId),
          currentGroupId: current?.groupId ?? null,
          now: new Date().toISOString(),
        },
        requestedBy,
      );
    } catch (error) {
      // Another group took the bot between the read above and this append: its member row decides.
      if (error instanceof UniqueConstraintViolationException) {
        const winner = await this.orm.em.fork().findOne(BotGroupMember, { botId });
        if (winner && winner.groupId !== groupId) throw new BotAlreadyInGroupError(botId, winner.groupId);
      }
      throw error;
    }
    return this.view(groupId);
  }

  async removeBot(groupId: string, botId: string, requestedBy: string): Promise<BotGroupViewJson> {
    await this.requireGroup(groupId);
    await this.handle(groupId, { type: 'RemoveBotFromGroup', groupId, botId, now: new Date().toISOString() }, requestedBy);
    return this.view(groupId);
  }

  /** Every group, oldest first. */
  async list(): Promise<BotGroupViewJson[]> {
    const em = this.orm.em.fork();
    const groups = await em.find(BotGroup, {}, { orderBy: { createdAt: 'asc', groupId: 'asc' } });
    return Promise.all(groups.map((group) => this.viewOf(group, em)));
  }

  /** One group; throws USERS.GROUP_NOT_FOUND. */
  async view(groupId: string): Promise<BotGroupViewJson> {
    const em = this.orm.em.fork();
    return this.viewOf(await this.requireGroup(groupId, em), em);
  }

  /** The group of a bot, or null when it is in none. */
  async groupOfBot(botId: string): Promise<BotGroupViewJson | null> {
    const em = this.orm.em.fork();
    const member = UUID.test(botId) ? await em.findOne(BotGroupMember, { botId }) : null;
    return member ? this.view(member.groupId) : null;
  }

  private async viewOf(group: BotGroup, em = this.orm.em.fork()): Promise<BotGroupViewJson> {
    const members = await em.find(BotGroupMember, { groupId: group.groupId }, { orderBy: { addedAt: 'asc', botId: 'asc' } });
    return {
      groupId: group.groupId,
      ownerTelegramUserId: String(group.ownerTelegramUserId),
      name: group.name,
      botIds: members.map((m) => m.botId),
      createdAt: new Date(group.createdAt).toISOString(),
    };
  }

  private async requireGroup(groupId: string, em = this.orm.em.fork()): Promise<BotGroup> {
    const group = UUID.test(groupId) ? await em.findOne(BotGroup, { groupId }, { disableIdentityMap: true }) : null;
    if (!group) throw new BotGroupNotFoundError(groupId);
    return group;
  }

  private async handle(groupId: string, command: BotGroupCommand, requestedBy: string): Promise<void> {
    const now = new Date();
    const context: EventContext = {
      // The tenant column of the store: the bot a change is about, the group itself for its creation.
      botId: 'botId' in command ? command.botId : groupId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor: { kind: 'admin', id: requestedBy },
      occurredAt: now,
    };
    await this.commands.handle(botGroupStreamId(groupId), command, context);
  }
}
