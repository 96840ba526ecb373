import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PROMO_EVENT_TYPES, type PromoEvent } from './promo.decider.js';

const isPromoEvent = (event: RecordedEvent): event is RecordedEvent<PromoEvent> => (PROMO_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * Promo codes as admins list them (`promo_codes`: definition, uses, active) and the discounts members
 * redeemed and have not used yet (`member_discounts`), written in the append's transaction.
 */
export const promoProjection: InlineProjection = {
  name: 'payments.promo-codes',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isPromoEvent(event)) continue;
      switch (event.type) {
        case 'PromoCodeCreated': {
          const { data } = event;
          await em.execute(
            'INSERT INTO payments.promo_codes (bot_id, code, definition, uses, active, batch_id, created_at) VALUES (?, ?, ?, 0, ?, ?, ?)',
            [data.botId, data.code, JSON.stringify(data.definition), data.definition.active, data.definition.batchId ?? null, data.createdAt],
            'run',
          );
          break;
        }
        case 'PromoCodeRedeemed': {
          const { data } = event;
          await em.execute('UPDATE payments.promo_codes SET uses = ? WHERE bot_id = ? AND code = ?', [data.use, data.botId, data.code], 'run');
          if (data.reward.kind === 'percent_off' || data.reward.kind === 'fixed_off') {
            await em.execute(
              'INSERT INTO payments.member_discounts (redemption_id, bot_id, telegram_user_id, code, reward, redeemed_at) VALUES (?, ?, ?, ?, ?, ?)',
              [data.redemptionId, data.botId, data.telegramUserId, data.code, JSON.stringify(data.reward), data.redeemedAt],
              'run',
            );
          }
          break;
        }
        case 'PromoCodeActiveSet':
          await em.execute(
            'UPDATE payments.promo_codes SET active = ? WHERE bot_id = ? AND code = ?',
            [event.data.active, event.data.botId, event.data.code],
            'run',
          );
          break;
      }
    }
  },
};
