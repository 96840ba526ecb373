import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { REFERRAL_LEVELS_SETTING, REFERRAL_PERCENT_SETTING, referralSharesOf } from './referral-settings.js';

/** What /referral shows a member: who they brought, what they earned (rewards not taken back), the bot's shares. */
export interface ReferralStats {
  /** Members who joined through their link. */
  readonly joined: number;
  /** Of the whole chain below them (level 2 and deeper included), by currency, refunded payments' rewards excluded. */
  readonly earned: readonly { readonly currency: string; readonly amount: string }[];
  /** The bot's share per level, in basis points; empty: rewards off. */
  readonly shares: readonly number[];
}

/** Reads the referral read models (`referral_links`, `referral_rewards`, `referral_settings`). */
@Injectable()
export class ReferralStatsReader {
  constructor(private readonly orm: MikroORM) {}

  async of(botId: string, telegramUserId: string): Promise<ReferralStats> {
    const connection = this.orm.em.fork().getConnection();
    const [joined] = await connection.execute<{ joined: string }[]>(
      'SELECT count(*)::text AS joined FROM payments.referral_links WHERE bot_id = ? AND referrer_telegram_user_id = ?',
      [botId, telegramUserId],
    );
    const earned = await connection.execute<{ currency: string; amount: string }[]>(
      `SELECT currency, sum(amount)::text AS amount FROM payments.referral_rewards
         WHERE bot_id = ? AND referrer_telegram_user_id = ? AND reversed_at IS NULL GROUP BY currency ORDER BY currency`,
      [botId, telegramUserId],
    );
    const settings = await connection.execute<{ key: string; value_json: string }[]>(
      'SELECT key, value_json FROM payments.referral_settings WHERE bot_id = ?',
      [botId],
    );
    const value = (key: string) => settings.find((row) => row.key === key)?.value_json;
    return {
      joined: Number(joined?.joined ?? 0),
      earned: earned.map((row) => ({ currency: row.currency, amount: row.amount })),
      shares: referralSharesOf(value(REFERRAL_PERCENT_SETTING), value(REFERRAL_LEVELS_SETTING)),
    };
  }
}
