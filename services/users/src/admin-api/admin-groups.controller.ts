import { Body, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { BotGroups, type BotGroupViewJson } from '../bot-group/bot-groups.js';
import { AdminApiController } from './admin-api-controller.decorator.js';
import { OperatorOnly, Principal, requesterOf, type AdminPrincipal } from './admin-principal.js';

const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class CreateBotGroupBody {
  @Matches(TELEGRAM_USER_ID, { message: 'ownerTelegramUserId must be a positive Telegram user id' })
  ownerTelegramUserId: string;

  @IsString()
  @Length(1, 100)
  name: string;

  /** The caller's id for the group: the same creation sent twice makes one group. */
  @IsOptional()
  @Matches(UUID, { message: 'groupId must be a UUID' })
  groupId?: string;
}

export class AddBotToGroupBody {
  @Matches(UUID, { message: 'botId must be a UUID' })
  botId: string;
}

/**
 * Bot groups over the admin API. Groups span bots, so only the operator creates and changes them (a bot's
 * API token acts on its own bot alone); a bot's token reads its own bot's group
 * (`GET /admin/bots/:botId/group`, scoped like every `/admin/bots/:botId` route).
 */
@AdminApiController('admin')
export class AdminGroupsController {
  constructor(private readonly groups: BotGroups) {}

  @Post('groups')
  @OperatorOnly()
  create(@Body() body: CreateBotGroupBody, @Principal() principal: AdminPrincipal): Promise<BotGroupViewJson> {
    return this.groups.create(
      { ownerTelegramUserId: Number(body.ownerTelegramUserId), name: body.name, ...(body.groupId ? { groupId: body.groupId } : {}) },
      requesterOf(principal),
    );
  }

  @Get('groups')
  @OperatorOnly()
  async list(): Promise<{ groups: BotGroupViewJson[] }> {
    return { groups: await this.groups.list() };
  }

  @Get('groups/:groupId')
  @OperatorOnly()
  one(@Param('groupId') groupId: string): Promise<BotGroupViewJson> {
    return this.groups.view(groupId);
  }

  @Post('groups/:groupId/bots')
  @HttpCode(200)
  @OperatorOnly()
  addBot(@Param('groupId') groupId: string, @Body() body: AddBotToGroupBody, @Principal() principal: AdminPrincipal): Promise<BotGroupViewJson> {
    return this.groups.addBot(groupId, body.botId, requesterOf(principal));
  }

  @Delete('groups/:groupId/bots/:botId')
  @OperatorOnly()
  removeBot(@Param('groupId') groupId: string, @Param('botId') botId: string, @Principal() principal: AdminPrincipal): Promise<BotGroupViewJson> {
    return this.groups.removeBot(groupId, botId, requesterOf(principal));
  }

  /** The bot's group (null when none): a bot's token sees its own bot's only. */
  @Get('bots/:botId/group')
  async groupOfBot(@Param('botId') botId: string): Promise<{ botId: string; group: BotGroupViewJson | null }> {
    return { botId, group: await this.groups.groupOfBot(botId) };
  }
}
