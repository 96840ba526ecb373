import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type BotConfigJson, type SettingTypeJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { BotRegistry } from './bot-registry.js';
import type { SettingValueType } from './bot-settings.js';
import { GetBotConfigDto, SetFeatureFlagDto, SetSettingDto } from './bots.dto.js';

const VALUE_TYPES: Partial<Record<SettingTypeJson, SettingValueType>> = {
  SETTING_TYPE_STRING: 'string',
  SETTING_TYPE_INT: 'int',
  SETTING_TYPE_BOOL: 'bool',
  SETTING_TYPE_JSON: 'json',
};

/** A bot's feature flags and typed settings over request/reply; each change answers the config after it. */
@RpcController()
export class ConfigureBotRpcController {
  constructor(private readonly registry: BotRegistry) {}

  @RpcHandler(RPC.users.setFeatureFlag)
  setFeatureFlag(@Payload() request: SetFeatureFlagDto): Promise<BotConfigJson> {
    return this.registry.setFeatureFlag(request.botId, request.flag, request.enabled ?? false, request.changedBy);
  }

  @RpcHandler(RPC.users.setSetting)
  setSetting(@Payload() request: SetSettingDto): Promise<BotConfigJson> {
    const type = request.type ? VALUE_TYPES[request.type] : undefined;
    return this.registry.setSetting(
      request.botId,
      {
        key: request.key,
        valueJson: request.valueJson,
        ...(type ? { type } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
      },
      request.changedBy,
    );
  }

  @RpcHandler(RPC.users.getBotConfig)
  getBotConfig(@Payload() request: GetBotConfigDto): Promise<BotConfigJson> {
    return this.registry.config(request.botId);
  }
}
