import { runSql, type InlineProjection, type RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { REFERRAL_LINK_EVENT_TYPES, type ReferralLinkEvent } from './referral-link.decider.js';
import { REFERRAL_REWARD_EVENT_TYPES, type ReferralRewardEvent } from './referral-reward.decider.js';

const TYPES: readonly string[] = [...REFERRAL_LINK_EVENT_TYPES, ...REFERRAL_REWARD_EVENT_TYPES];
const isReferralEvent = (event: RecordedEvent): event is RecordedEvent<ReferralLinkEvent | ReferralRewardEvent> => TYPES.includes(event.type);

/**
 * The referral read models, written in the append's transaction: `referral_links` (who brought whom, read
 * up the chain when a payment rewards and by /referral) and `referral_rewards` (one row per payment, renewal
 * charge ('' for the first charge) and level, the first charge's marked reversed after a refund).
 */
export const referralsProjection: InlineProjection = {
  name: 'payments.referrals',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isReferralEvent(event)) continue;
      switch (event.type) {
        case 'ReferralLinked': {
          const { data } = event;
          await runSql(
            em,
            `INSERT INTO payments.referral_links (bot_id, referred_telegram_user_id, referrer_telegram_user_id, joined_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
            [data.botId, data.referredTelegramUserId, data.referrerTelegramUserId, data.joinedAt],
          );
          break;
        }
        case 'ReferralRewarded': {
          const { data } = event;
          await runSql(
            em,
            `INSERT INTO payments.referral_rewards
               (payment_id, renewal_charge_id, level, bot_id, referrer_telegram_user_id, referred_telegram_user_id, currency, amount, rewarded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
            [
              data.paymentId,
              data.renewalChargeId ?? '',
              data.level,
              data.botId,
              data.referrerTelegramUserId,
              data.referredTelegramUserId,
              data.currency,
              data.amount,
              data.rewardedAt,
            ],
          );
          break;
        }
        // A refund gives the payment's first charge back: its rewards, not a renewal's.
        case 'ReferralRewardsReversed':
          await runSql(em, "UPDATE payments.referral_rewards SET reversed_at = $2 WHERE payment_id = $1 AND renewal_charge_id = '' AND reversed_at IS NULL", [
            event.data.paymentId,
            event.data.reversedAt,
          ]);
          break;
      }
    }
  },
};
