import type { BotChangeReplyJson, BotConfigJson, BotSummaryJson, ListBotsReplyJson, RegisterBotReplyJson } from '@botplatform/contracts';
import { Body, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { BotRegistry } from '../bot/bot-registry.js';
import { RegisterBotDto } from '../bot/bots.dto.js';
import { AdminApiController } from './admin-api-controller.decorator.js';
import { DeactivateBotBody, ListBotsQuery, RotateTokenBody, SetFlagBody, SetSettingBody } from './admin-api.dto.js';
import { BotTokenOnlyError } from './admin-api.errors.js';
import { OperatorOnly, Principal, requesterOf, type AdminPrincipal } from './admin-principal.js';

/** A bot with its flags and settings, as the admin API shows it. */
export interface AdminBotView {
  readonly bot: BotSummaryJson;
  readonly config: BotConfigJson;
}

/**
 * The admin API over the bot registry. The operator registers, lists and (de)activates bots and
 * rotates their tokens; a bot's API token reads its own bot and changes its flags and settings.
 */
@AdminApiController('admin/bots')
export class AdminBotsController {
  constructor(private readonly registry: BotRegistry) {}

  /** 201 with the API token, shown this once. */
  @Post()
  @OperatorOnly()
  register(@Body() body: RegisterBotDto): Promise<RegisterBotReplyJson> {
    return this.registry.register({
      name: body.name,
      token: body.token,
      ownerTelegramUserId: Number(body.ownerTelegramUserId),
      ...(body.timezone ? { timezone: body.timezone } : {}),
    });
  }

  @Get()
  @OperatorOnly()
  async list(@Query() query: ListBotsQuery): Promise<ListBotsReplyJson> {
    return { bots: await this.registry.list({ activeOnly: query.activeOnly === 'true' }) };
  }

  /** The bot of the API token. */
  @Get('me')
  me(@Principal() principal: AdminPrincipal): Promise<AdminBotView> {
    if (principal.kind !== 'bot') throw new BotTokenOnlyError();
    return this.view(principal.botId);
  }

  @Get(':botId')
  one(@Param('botId') botId: string): Promise<AdminBotView> {
    return this.view(botId);
  }

  @Post(':botId/activate')
  @HttpCode(200)
  @OperatorOnly()
  activate(@Param('botId') botId: string, @Principal() principal: AdminPrincipal): Promise<BotChangeReplyJson> {
    return this.registry.activate(botId, requesterOf(principal));
  }

  @Post(':botId/deactivate')
  @HttpCode(200)
  @OperatorOnly()
  deactivate(@Param('botId') botId: string, @Body() body: DeactivateBotBody, @Principal() principal: AdminPrincipal): Promise<BotChangeReplyJson> {
    return this.registry.deactivate(botId, requesterOf(principal), body.reason);
  }

  @Post(':botId/rotate-token')
  @HttpCode(200)
  @OperatorOnly()
  rotateToken(@Param('botId') botId: string, @Body() body: RotateTokenBody, @Principal() principal: AdminPrincipal): Promise<BotChangeReplyJson> {
    return this.registry.rotateToken(botId, requesterOf(principal), body.token);
  }

  /** 201 with a new API token; the previous one stops working at once. */
  @Post(':botId/api-token')
  @OperatorOnly()
  reissueApiToken(@Param('botId') botId: string, @Principal() principal: AdminPrincipal): Promise<RegisterBotReplyJson> {
    return this.registry.reissueApiToken(botId, requesterOf(principal));
  }

  @Get(':botId/flags')
  async flags(@Param('botId') botId: string): Promise<Pick<BotConfigJson, 'botId' | 'flags'>> {
    const { flags } = await this.registry.config(botId);
    return { botId, flags };
  }

  @Put(':botId/flags')
  setFlag(@Param('botId') botId: string, @Body() body: SetFlagBody, @Principal() principal: AdminPrincipal): Promise<BotConfigJson> {
    return this.registry.setFeatureFlag(botId, body.flag, body.enabled, requesterOf(principal));
  }

  @Get(':botId/settings')
  async settings(@Param('botId') botId: string): Promise<Pick<BotConfigJson, 'botId' | 'settings'>> {
    const { settings } = await this.registry.config(botId);
    return { botId, settings };
  }

  @Put(':botId/settings')
  setSetting(@Param('botId') botId: string, @Body() body: SetSettingBody, @Principal() principal: AdminPrincipal): Promise<BotConfigJson> {
    return this.registry.setSetting(
      botId,
      {
        key: body.key,
        valueJson: JSON.stringify(body.value),
        ...(body.type ? { type: body.type } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
      },
      requesterOf(principal),
    );
  }

  private async view(botId: string): Promise<AdminBotView> {
    return { bot: await this.registry.summary(botId), config: await this.registry.config(botId) };
  }
}
