import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type ConfigureLevelsReplyJson, type DefineBadgeReplyJson, type ListBadgesReplyJson, type SetTimeZoneReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ConfigureLevelsDto, DefineBadgeDto, ListBadgesDto, SetTimeZoneDto } from './bot-settings.dto.js';
import { BotSettingsUseCase } from './bot-settings.use-case.js';

/** `RPC.gamification.configureLevels`, `setTimeZone`, `defineBadge` and `listBadges`: the DTO validated, the use case called. */
@RpcController()
export class BotSettingsRpcController {
  constructor(private readonly settings: BotSettingsUseCase) {}

  @RpcHandler(RPC.gamification.configureLevels)
  configureLevels(@Payload() request: ConfigureLevelsDto): Promise<ConfigureLevelsReplyJson> {
    return this.settings.configureLevels(
      request.botId,
      request.levels.map((threshold) => ({ level: threshold.level, minXp: Number(threshold.minXp) })),
    );
  }

  @RpcHandler(RPC.gamification.setTimeZone)
  setTimeZone(@Payload() request: SetTimeZoneDto): Promise<SetTimeZoneReplyJson> {
    return this.settings.setTimeZone(request.botId, request.timeZone);
  }

  @RpcHandler(RPC.gamification.defineBadge)
  defineBadge(@Payload() request: DefineBadgeDto): Promise<DefineBadgeReplyJson> {
    const { key, names, icon } = request.badge;
    return this.settings.defineBadge(request.botId, { key, icon, names: Object.fromEntries(names.map((n) => [n.language, n.name])) });
  }

  @RpcHandler(RPC.gamification.listBadges)
  listBadges(@Payload() request: ListBadgesDto): Promise<ListBadgesReplyJson> {
    return this.settings.listBadges(request.botId);
  }
}
