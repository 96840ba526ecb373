import type { BotFeatureRouter, FeatureContext } from '@botplatform/bot-kit';
import { RpcCallError } from '@botplatform/bus';
import { Injectable } from '@nestjs/common';
import { formatMoment } from '../bot/stars-checkout.feature.js';
import { PaymentsError } from '../payments.errors.js';
import { formatAmount } from '../wallet/wallet.feature.js';
import { RedeemPromoCodeUseCase } from './redeem-promo-code.use-case.js';

/** `/start promo_CODE`. */
export const PROMO_DEEP_LINK = 'promo';

const REFUSALS: Readonly<Record<string, string>> = {
  'PAYMENTS.PROMO_NOT_FOUND': 'promo-not-found',
  'PAYMENTS.PROMO_EXPIRED': 'promo-expired',
  'PAYMENTS.PROMO_INACTIVE': 'promo-inactive',
  'PAYMENTS.PROMO_USED_UP': 'promo-used-up',
  'PAYMENTS.PROMO_ALREADY_REDEEMED': 'promo-already-redeemed',
};

/**
 * `/promo CODE` and the deep link `t.me/<bot>?start=promo_CODE` (the gateway keeps /start but routes a
 * payload of a declared prefix, see `BotFeatureRouter.deepLink`): redeems a promo code of the bot and says
 * what it gave, or why not, in the member's language.
 */
@Injectable()
export class PromoFeature {
  constructor(private readonly redeem: RedeemPromoCodeUseCase) {}

  register(router: BotFeatureRouter): BotFeatureRouter {
    return router
      .command('promo', { description: { en: 'Redeem a promo code', ru: 'Ввести промокод' } }, (ctx) => this.promo(ctx, ctx.command?.payload ?? ''))
      .deepLink(PROMO_DEEP_LINK, (ctx) => this.promo(ctx, (ctx.command?.payload ?? '').slice(PROMO_DEEP_LINK.length + 1)));
  }

  private async promo(ctx: FeatureContext, payload: string): Promise<void> {
    const code = payload.trim();
    if (!code) {
      ctx.reply(ctx.t('promo-usage'));
      return;
    }
    let redeemed: Awaited<ReturnType<RedeemPromoCodeUseCase['execute']>>;
    try {
      redeemed = await this.redeem.execute({ botId: ctx.botId, telegramUserId: ctx.telegramUserId, code });
    } catch (error) {
      const key = error instanceof PaymentsError ? REFUSALS[error.code] : undefined;
      if (key) {
        ctx.reply(ctx.t(key));
        return;
      }
      if (error instanceof RpcCallError && error.code.startsWith('SUBSCRIPTIONS.')) {
        ctx.reply(ctx.t('promo-not-granted'));
        return;
      }
      throw error;
    }
    const reward = redeemed.reward ?? {};
    if (reward.walletTopUp) {
      ctx.reply(ctx.t('promo-wallet', { amount: formatAmount(String(reward.walletTopUp.amount), reward.walletTopUp.currency ?? '') }));
    } else if (reward.percentOff !== undefined) {
      ctx.reply(ctx.t('promo-discount', { discount: `${reward.percentOff}%` }));
    } else if (reward.fixedOff) {
      ctx.reply(ctx.t('promo-discount', { discount: formatAmount(String(reward.fixedOff.amount), reward.fixedOff.currency ?? '') }));
    } else if (redeemed.endsAt) {
      ctx.reply(ctx.t('promo-plan-period', { end: formatMoment(redeemed.endsAt, ctx.timeZone) }));
    } else {
      ctx.reply(ctx.t('promo-plan-credits', { credits: String(redeemed.credits ?? '0') }));
    }
  }
}
