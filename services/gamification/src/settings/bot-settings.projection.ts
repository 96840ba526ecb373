import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BOT_SETTINGS_EVENT_TYPES, botSettingsDecider, type BotSettingsEvent, type BotSettingsState } from './bot-settings.decider.js';
import { BotSettings } from './bot-settings.entity.js';

const isBotSettingsEvent = (event: RecordedEvent): event is RecordedEvent<BotSettingsEvent> =>
  (BOT_SETTINGS_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The bot_settings read model: the row is the decider's own state, folded with its `evolve` and written
 * in the append's transaction (the settings stream is locked while this runs, so read-modify-write does
 * not race). An award right after configure-levels uses the new thresholds.
 */
export const botSettingsProjection: InlineProjection = {
  name: 'gamification.bot-settings',
  async apply(events, em: EntityManager) {
    const states = new Map<string, { state: BotSettingsState; at: Date }>();
    for (const event of events) {
      if (!isBotSettingsEvent(event)) continue;
      const { botId } = event.data;
      let current = states.get(botId)?.state;
      if (!current) {
        const row = await em.findOne(BotSettings, { botId });
        current = row ? { levels: row.levels, timeZone: row.timeZone, badges: row.badges } : botSettingsDecider.initialState();
      }
      states.set(botId, { state: botSettingsDecider.evolve(current, event), at: event.metadata.occurredAt });
    }
    for (const [botId, { state, at }] of states) {
      await em.upsert(BotSettings, {
        botId,
        levels: state.levels ? [...state.levels] : null,
        timeZone: state.timeZone,
        badges: { ...state.badges },
        updatedAt: at,
      });
    }
  },
};
