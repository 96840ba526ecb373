import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { PromoReward } from './promo.decider.js';

/** A discount a member redeemed and has not used: applied to their next purchase. */
export interface OpenDiscount {
  readonly redemptionId: string;
  readonly code: string;
  readonly reward: Extract<PromoReward, { kind: 'percent_off' | 'fixed_off' }>;
}

/**
 * The member's discounts (`member_discounts`, kept by promo.projection.ts, consumed by the payment that
 * used one when it completes: payments.projection.ts).
 */
@Injectable()
export class MemberDiscounts {
  constructor(private readonly orm: MikroORM) {}

  /** The oldest open discount that applies to a price in `currency` (a percentage applies to any). */
  async openFor(botId: string, telegramUserId: string, currency: string): Promise<OpenDiscount | null> {
    const rows = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ redemption_id: string; code: string; reward: OpenDiscount['reward'] }[]>(
        `SELECT redemption_id, code, reward FROM payments.member_discounts
          WHERE bot_id = ? AND telegram_user_id = ? AND consumed_by_payment IS NULL
            AND (reward->>'kind' = 'percent_off' OR reward->>'currency' = ?)
          ORDER BY redeemed_at, redemption_id LIMIT 1`,
        [botId, telegramUserId, currency],
      );
    const row = rows[0];
    return row ? { redemptionId: row.redemption_id, code: row.code, reward: row.reward } : null;
  }

  /** Whether the discount was used by a payment other than `paymentId`; read in `em`'s transaction when given. */
  async usedElsewhere(redemptionId: string, paymentId: string, em: EntityManager = this.orm.em.fork()): Promise<boolean> {
    const rows = await em
      .getConnection()
      .execute<{ consumed_by_payment: string | null }[]>('SELECT consumed_by_payment FROM payments.member_discounts WHERE redemption_id = ?', [redemptionId]);
    const by = rows[0]?.consumed_by_payment ?? null;
    return by !== null && by !== paymentId;
  }
}

/**
 * The price after the discount, in minor units: a percentage takes off the floor of that share (the
 * member never pays a fraction less), a fixed amount its amount; at least 1, since Telegram and the wallet
 * take no zero payment.
 */
export function discounted(amount: string, discount: OpenDiscount): string {
  const price = BigInt(amount);
  const off = discount.reward.kind === 'percent_off' ? (price * BigInt(discount.reward.percent)) / 100n : BigInt(discount.reward.amount);
  const after = price - off;
  return (after < 1n ? 1n : after).toString();
}
