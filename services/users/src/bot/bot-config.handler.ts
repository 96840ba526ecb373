import { RpcController } from '@botplatform/bus';
import type { BotConfigJson, SettingTypeJson } from '@botplatform/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BotRegistry } from './bot-registry.js';
import type { SettingValueType } from './bot-settings.js';
import { GetBotConfigDto, SetFeatureFlagDto, SetSettingDto } from './bots.dto.js';

export const SET_FEATURE_FLAG = 'rpc.users.set-feature-flag';
export const SET_SETTING = 'rpc.users.set-setting';
export const GET_BOT_CONFIG = 'rpc.users.get-bot-config';

const VALUE_TYPES: Partial<Record<SettingTypeJson, SettingValueType>> = {
  SETTING_TYPE_STRING: 'string',
  SETTING_TYPE_INT: 'int',
  SETTING_TYPE_BOOL: 'bool',
  SETTING_TYPE_JSON: 'json',
};

/** A bot's feature flags and typed settings over request/reply; each change answers the config after it. */
@RpcController()
export class BotConfigHandler {
  constructor(private readonly registry: BotRegistry) {}

  @MessagePattern(SET_FEATURE_FLAG)
  setFeatureFlag(@Payload() request: SetFeatureFlagDto): Promise<BotConfigJson> {
    return this.registry.setFeatureFlag(request.botId, request.flag, request.enabled ?? false, request.changedBy);
  }

  @MessagePattern(SET_SETTING)
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

  @MessagePattern(GET_BOT_CONFIG)
  getBotConfig(@Payload() request: GetBotConfigDto): Promise<BotConfigJson> {
    return this.registry.config(request.botId);
  }
}
