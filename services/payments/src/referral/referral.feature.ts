import type { BotFeatureRouter, FeatureContext } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { formatAmount } from '../wallet/wallet.feature.js';
import { ReferralStatsReader } from './referral-stats.js';

/** 250 basis points → "2.5%". */
export function formatShare(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const fraction = String(basisPoints % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''}%`;
}

/**
 * `/referral`: the member's link (`https://t.me/<bot>?start=ref_<their id>`), how many joined through it,
 * what they earned (into the wallet, rewards of refunded payments excluded) and what the bot gives per
 * level, in their language.
 */
@Injectable()
export class ReferralFeature {
  constructor(private readonly stats: ReferralStatsReader) {}

  register(router: BotFeatureRouter): BotFeatureRouter {
    return router.command('referral', { description: { en: 'Invite friends', ru: 'Пригласить друзей' } }, (ctx) => this.referral(ctx));
  }

  private async referral(ctx: FeatureContext): Promise<void> {
    const stats = await this.stats.of(ctx.botId, ctx.telegramUserId);
    const payload = `ref_${ctx.telegramUserId}`;
    const link = ctx.botUsername ? `https://t.me/${ctx.botUsername}?start=${payload}` : `/start ${payload}`;
    const earned = stats.earned.length ? stats.earned.map((amount) => formatAmount(amount.amount, amount.currency)).join(', ') : ctx.t('referral-nothing');
    const terms =
      stats.shares.length === 0
        ? ctx.t('referral-off')
        : stats.shares.length === 1
          ? ctx.t('referral-terms', { share: formatShare(stats.shares[0]!) })
          : ctx.t('referral-terms-levels', { shares: stats.shares.map((share, index) => `${index + 1}: ${formatShare(share)}`).join(', ') });
    ctx.reply([ctx.t('referral-link', { link }), terms, ctx.t('referral-joined', { count: stats.joined }), ctx.t('referral-earned', { earned })].join('\n\n'));
  }
}
