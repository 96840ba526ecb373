import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { BotFeatureFlagChangedSchema, BotSettingChangedSchema, isEventOf, subjectOf } from '@botplatform/contracts';
import type { BotConfigCache } from './bot-config.cache.js';

/**
 * A bot's flag or setting changed in the users service: its cached configuration is forgotten, so the
 * next update routes by the new flags (and its command menu is set again). Memory only: a redelivered
 * event does no harm.
 */
export function onBotConfigChanged(cache: Pick<BotConfigCache, 'invalidate'>): ConsumerDefinition {
  return {
    name: 'gateway--bot-config',
    source: 'users',
    subjects: [subjectOf(BotFeatureFlagChangedSchema), subjectOf(BotSettingChangedSchema)],
    handle: async (event) => {
      if (isEventOf(event, BotFeatureFlagChangedSchema) || isEventOf(event, BotSettingChangedSchema)) {
        if (!event.message.botId) throw new ParkEventError(`${event.subject} without bot_id`);
        cache.invalidate(event.message.botId);
        return;
      }
      throw new ParkEventError(`unexpected ${event.subject}`);
    },
  };
}
