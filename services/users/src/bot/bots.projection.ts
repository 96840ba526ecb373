import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { botProfileChanges } from './bot-profile-changes.js';
import { builtInDescription } from './bot-settings.js';
import { BOT_EVENT_TYPES, type BotEvent } from './bot.decider.js';
import { BotFeatureFlag } from './bot-feature-flag.entity.js';
import { BotSettingValue } from './bot-setting-value.entity.js';
import { RegisteredBot } from './registered-bot.entity.js';

const isBotEvent = (event: RecordedEvent): event is RecordedEvent<BotEvent> => (BOT_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The bot registry's read models (bots, bot_feature_flags, bot_settings), written in the append's
 * transaction. A second registration of the same Telegram bot fails here on the unique
 * `telegram_bot_id`, which rolls the append back with it.
 */
export const botsProjection: InlineProjection = {
  name: 'users.bots',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isBotEvent(event)) continue;
      botProfileChanges.count(event.metadata.botId);
      const at = new Date(event.metadata.occurredAt);
      switch (event.type) {
        case 'BotRegistered': {
          const { data } = event;
          await em.insert(RegisteredBot, {
            botId: data.botId,
            name: data.name,
            telegramBotId: String(data.telegramBotId),
            ownerTelegramUserId: String(data.ownerTelegramUserId),
            active: true,
            timezone: data.timezone,
            tokenVersion: data.tokenVersion,
            tokenKeyId: data.encryptedToken.keyId,
            tokenIv: data.encryptedToken.iv,
            tokenCiphertext: data.encryptedToken.ciphertext,
            tokenTag: data.encryptedToken.tag,
            apiTokenId: data.apiTokenId,
            apiTokenHash: data.apiTokenHash,
            registeredAt: new Date(data.registeredAt),
            updatedAt: new Date(data.registeredAt),
          });
          await em.insert(BotSettingValue, {
            botId: data.botId,
            key: 'timezone',
            type: 'string',
            valueJson: JSON.stringify(data.timezone),
            description: builtInDescription('timezone')!,
            changedBy: `${event.metadata.actor.kind === 'admin' ? '' : `${event.metadata.actor.kind}:`}${event.metadata.actor.id}`,
            changedAt: new Date(data.registeredAt),
          });
          break;
        }
        case 'BotActivated':
          await em.nativeUpdate(RegisteredBot, { botId: event.data.botId }, { active: true, updatedAt: at });
          break;
        case 'BotDeactivated':
          await em.nativeUpdate(RegisteredBot, { botId: event.data.botId }, { active: false, updatedAt: at });
          break;
        case 'BotTokenRotated': {
          const { encryptedToken } = event.data;
          await em.nativeUpdate(
            RegisteredBot,
            { botId: event.data.botId },
            {
              tokenVersion: event.data.tokenVersion,
              tokenKeyId: encryptedToken.keyId,
              tokenIv: encryptedToken.iv,
              tokenCiphertext: encryptedToken.ciphertext,
              tokenTag: encryptedToken.tag,
              updatedAt: at,
            },
          );
          break;
        }
        case 'ApiTokenReissued':
          await em.nativeUpdate(
            RegisteredBot,
            { botId: event.data.botId },
            { apiTokenId: event.data.apiTokenId, apiTokenHash: event.data.apiTokenHash, updatedAt: at },
          );
          break;
        case 'BotFeatureFlagChanged': {
          const { data } = event;
          await em.upsert(BotFeatureFlag, {
            botId: data.botId,
            flag: data.flag,
            enabled: data.enabled,
            changedBy: data.changedBy,
            changedAt: new Date(data.changedAt),
          });
          break;
        }
        case 'BotSettingChanged': {
          const { data } = event;
          await em.upsert(BotSettingValue, {
            botId: data.botId,
            key: data.key,
            type: data.type,
            valueJson: JSON.stringify(data.value),
            description: data.description,
            changedBy: data.changedBy,
            changedAt: new Date(data.changedAt),
          });
          if (data.key === 'timezone') {
            await em.nativeUpdate(RegisteredBot, { botId: data.botId }, { timezone: data.value as string, updatedAt: at });
          }
          break;
        }
      }
    }
  },
};
