import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { XpRulesSet } from './xp-rules.decider.js';

/** The xp_rules read model: each event carries the whole rules, so a row is set, never merged. */
export const xpRulesProjection: InlineProjection = {
  name: 'gamification.xp-rules',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (event.type !== 'XpRulesSet') continue;
      const { data } = event as RecordedEvent<XpRulesSet>;
      await em.execute(
        `INSERT INTO gamification.xp_rules (bot_id, rules, updated_at) VALUES (?, ?::jsonb, ?)
         ON CONFLICT (bot_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at`,
        [data.botId, JSON.stringify(data.rules), new Date(data.setAt)],
      );
    }
  },
};
