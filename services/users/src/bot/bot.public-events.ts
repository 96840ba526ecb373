import {
  BotActivatedSchema,
  BotDeactivatedSchema,
  BotFeatureFlagChangedSchema,
  BotRegisteredSchema,
  BotSettingChangedSchema,
  BotTokenRotatedSchema,
  SettingType,
  timestampFromDate,
} from '@botplatform/contracts';
import type { PublicEventMapper } from '@botplatform/bus';
import type { RecordedEvent } from '@botplatform/event-store';
import type { SettingValueType } from './bot-settings.js';
import type { BotEvent } from './bot.decider.js';

const PUBLIC_TYPES: Record<SettingValueType, SettingType> = {
  string: SettingType.STRING,
  int: SettingType.INT,
  bool: SettingType.BOOL,
  json: SettingType.JSON,
};

const at = (iso: string) => timestampFromDate(new Date(iso));

/**
 * Bot events as other services see them (proto/botplatform/users/v1/bots.proto). Each field is picked
 * by name, so the sealed token and the API token's hash can never slip through; ApiTokenReissued stays
 * internal (nobody outside needs to know).
 */
export const botPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<BotEvent>;
  switch (event.type) {
    case 'BotRegistered': {
      const { data } = event;
      return {
        schema: BotRegisteredSchema,
        message: {
          botId: data.botId,
          name: data.name,
          ownerTelegramUserId: BigInt(data.ownerTelegramUserId),
          tokenVersion: data.tokenVersion,
          registeredAt: at(data.registeredAt),
        },
      };
    }
    case 'BotActivated':
      return { schema: BotActivatedSchema, message: { botId: event.data.botId, activatedAt: at(event.data.activatedAt) } };
    case 'BotDeactivated':
      return {
        schema: BotDeactivatedSchema,
        message: { botId: event.data.botId, reason: event.data.reason, deactivatedAt: at(event.data.deactivatedAt) },
      };
    case 'BotTokenRotated':
      return {
        schema: BotTokenRotatedSchema,
        message: { botId: event.data.botId, tokenVersion: event.data.tokenVersion, rotatedAt: at(event.data.rotatedAt) },
      };
    case 'BotFeatureFlagChanged': {
      const { data } = event;
      return {
        schema: BotFeatureFlagChangedSchema,
        message: { botId: data.botId, flag: data.flag, enabled: data.enabled, changedBy: data.changedBy, changedAt: at(data.changedAt) },
      };
    }
    case 'BotSettingChanged': {
      const { data } = event;
      return {
        schema: BotSettingChangedSchema,
        message: {
          botId: data.botId,
          key: data.key,
          type: PUBLIC_TYPES[data.type],
          valueJson: JSON.stringify(data.value),
          description: data.description,
          changedBy: data.changedBy,
          changedAt: at(data.changedAt),
        },
      };
    }
    default:
      return null;
  }
};

/** One mapper from several: the first that knows the event maps it. */
export function composePublicEvents(...mappers: readonly PublicEventMapper[]): PublicEventMapper {
  return (event) => {
    for (const mapper of mappers) {
      const draft = mapper(event);
      if (draft) return draft;
    }
    return null;
  };
}
