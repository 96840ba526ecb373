import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard, type Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { PlanCatalog } from '../plan/plan-catalog.js';
import type { Plan } from '../plan/plan.entity.js';
import { Clock } from '../shared/clock.js';
import { ManageSubscriptionsUseCase } from '../subscription/manage-subscriptions.use-case.js';
import { SubscriptionDirectory } from '../subscription/subscription-directory.js';
import { isRunning } from '../subscription/subscription.decider.js';
import { formatMoment, formatPrices, planTextIn } from './formatting.js';
import { isOfferedProvider, PaymentsClient } from './payments.client.js';
import { refusalsAnswered } from './refusals.js';

/**
 * Buttons of the plans menu: `sub:<action>[:<plan id>]`, a UUID at most (`sub:buy:<uuid>` is 44 bytes);
 * a provider's `sub:pv:<provider>:<plan id>` (`sub:pv:telegram-fiat:<uuid>` is 57, within Telegram's 64).
 */
export const planButtons = new CallbackData('sub');

/** What a plan gives, in the reader's language: "Access for 30 days", "A pack of 20 credits". */
export function planGives(ctx: FeatureContext, plan: Plan): string {
  const { kind } = plan.definition;
  return 'credits' in kind ? ctx.t('plan-gives-credits', { credits: kind.credits }) : ctx.t('plan-gives-period', { days: kind.periodDays });
}

/**
 * `/plans`: the bot's plans on sale (active, with a price, in their sort order), each opening its card
 * with a "Buy" button, and the bot's free trial for a member who never took it. "Buy" orders the plan
 * from the payments service and sends its Telegram Stars invoice (the payment id in its payload); the
 * checkout and the grant after the payment are the payments service's. The trial is the start-trial use case itself: taken once,
 * a second press (an older menu) gets its refusal in the member's language.
 */
@Injectable()
export class PlansFeature {
  constructor(
    private readonly catalog: PlanCatalog,
    private readonly subscriptions: ManageSubscriptionsUseCase,
    private readonly directory: SubscriptionDirectory,
    private readonly clock: Clock,
    private readonly payments: PaymentsClient,
  ) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    return router
      .command(
        'plans',
        { description: { en: translate('en', 'command-plans'), ru: translate('ru', 'command-plans') } },
        refusalsAnswered(async (ctx) => {
          const menu = await this.menu(ctx);
          ctx.reply(menu.text, { keyboard: menu.keyboard });
        }),
      )
      .callback(
        planButtons,
        refusalsAnswered((ctx) => this.press(ctx)),
      );
  }

  private async press(ctx: FeatureContext): Promise<void> {
    const [planId = ''] = ctx.callback?.args ?? [];
    switch (ctx.callback?.action) {
      case 'plans': {
        const menu = await this.menu(ctx);
        ctx.edit(menu.text, { keyboard: menu.keyboard });
        return;
      }
      case 'p':
        return this.card(ctx, planId);
      case 'buy':
        return this.buy(ctx, planId);
      case 'card':
        return this.cardTransfer(ctx, planId);
      case 'pv': {
        const [provider = '', providerPlanId = ''] = ctx.callback?.args ?? [];
        return this.payWithProvider(ctx, provider, providerPlanId);
      }
      case 'wallet':
        return this.payFromWallet(ctx, planId);
      case 'trial':
        return this.startTrial(ctx);
    }
  }

  /** The menu a member sees now: what is on sale, and the trial while it is theirs to take. */
  private async menu(ctx: FeatureContext): Promise<{ text: string; keyboard: InlineKeyboard }> {
    const [plans, trial, view] = await Promise.all([
      this.catalog.listOffered(ctx.botId, { activeOnly: true }),
      this.catalog.trialOf(ctx.botId),
      this.directory.viewOf(ctx.botId, ctx.telegramUserId),
    ]);
    const keyboard = new InlineKeyboard();
    for (const plan of plans) {
      const price = formatPrices(plan.definition.prices);
      // A plan without a price is only granted (promo, admin); a paid trial is sold once.
      if (!price || (plan.definition.trial && view.trialTaken)) continue;
      keyboard.text(ctx.t('plans-button', { name: planTextIn(plan.definition.texts, ctx.language).name, price }), planButtons.encode('p', plan.planId)).row();
    }
    const freeTrial = trial && trial.definition.prices.length === 0 && 'periodDays' in trial.definition.kind ? trial.definition.kind : undefined;
    if (freeTrial && !view.trialTaken && !isRunning(view.period, this.clock.now().toISOString())) {
      keyboard.text(ctx.t('plans-trial-button', { days: freeTrial.periodDays }), planButtons.encode('trial'));
    }
    return { text: ctx.t(keyboard.isEmpty ? 'plans-none' : 'plans-title'), keyboard };
  }

  private async card(ctx: FeatureContext, planId: string): Promise<void> {
    // The bot's own plans and its group's shared ones only: a plan id of another bot is not found here.
    const plan = /^[0-9a-f-]{36}$/.test(planId) ? await this.catalog.findOffered(ctx.botId, planId) : null;
    const price = plan ? formatPrices(plan.definition.prices) : undefined;
    if (!plan?.active || plan.archived || !price) {
      ctx.answerCallback(ctx.t('refused-plan-gone'), { alert: true });
      return;
    }
    const text = planTextIn(plan.definition.texts, ctx.language);
    const lines = [text.name, ...(text.description ? [text.description] : []), '', planGives(ctx, plan), ctx.t('plan-price', { price })];
    const keyboard = new InlineKeyboard().text(ctx.t('plan-button-buy'), planButtons.encode('buy', plan.planId)).row();
    keyboard.text(ctx.t('plan-button-wallet'), planButtons.encode('wallet', plan.planId)).row();
    const methods = await this.payments.paymentMethods(ctx.botId, plan.planId);
    // The bot's providers that can sell the plan (Telegram Payments with its provider token, Crypto Pay).
    for (const provider of methods.providers) keyboard.text(ctx.t(`plan-button-${provider}`), planButtons.encode('pv', provider, plan.planId)).row();
    // Card transfer (payments' card-to-card) when the bot has an active card the plan's price is in.
    if (methods.cardTransfer) keyboard.text(ctx.t('plan-button-card'), planButtons.encode('card', plan.planId)).row();
    ctx.edit(lines.join('\n'), { keyboard: keyboard.text(ctx.t('button-back'), planButtons.encode('plans')) });
  }

  /**
   * "Buy" is Telegram Stars (the plan's other currencies are sold by the provider buttons).
   * A 30-day plan is sold as a Stars subscription (Telegram renews it every 30 days), any other as a one-off invoice.
   */
  private async buy(ctx: FeatureContext, planId: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(planId)) {
      ctx.answerCallback(ctx.t('refused-plan-gone'), { alert: true });
      return;
    }
    const order = await this.payments.orderStars({ botId: ctx.botId, telegramUserId: ctx.telegramUserId, planId, language: ctx.language });
    if ('refused' in order) {
      ctx.answerCallback(ctx.t(order.refused === 'plan_gone' ? 'refused-plan-gone' : 'plan-buy-unavailable'), { alert: true });
      return;
    }
    // A Stars subscription (payments decides: a 30-day plan) can only be sold through an invoice link.
    if (order.invoice.subscriptionPeriod) {
      ctx
        .answerCallback()
        .sendInvoiceLink(order.invoice, ctx.t('plan-subscription-invoice', { name: order.invoice.title ?? '' }), ctx.t('plan-subscription-button'));
      return;
    }
    ctx.answerCallback().sendInvoice(order.invoice);
  }

  /**
   * A provider's button: payments orders the plan through it (`create-payment` with `provider`) and answers
   * what to show. Telegram Payments: the invoice with the bot's provider token, in the plan's price that
   * provider takes; Crypto Pay: its page, behind a URL button. Completing the payment and the grant are
   * payments' (pre-checkout and `successful_payment`; Crypto Pay's signed webhook), as for Stars.
   */
  private async payWithProvider(ctx: FeatureContext, provider: string, planId: string): Promise<void> {
    if (!isOfferedProvider(provider) || !/^[0-9a-f-]{36}$/.test(planId)) {
      ctx.answerCallback(ctx.t('refused-plan-gone'), { alert: true });
      return;
    }
    const order = await this.payments.orderFromProvider({ botId: ctx.botId, telegramUserId: ctx.telegramUserId, planId, language: ctx.language, provider });
    if ('refused' in order) {
      const key = order.refused === 'plan_gone' ? 'refused-plan-gone' : order.refused === 'provider_gone' ? 'plan-provider-gone' : 'plan-buy-unavailable';
      ctx.answerCallback(ctx.t(key), { alert: true });
      return;
    }
    if ('invoice' in order) {
      ctx.answerCallback().sendInvoice(order.invoice);
      return;
    }
    const plan = await this.catalog.findOffered(ctx.botId, planId);
    const name = plan ? planTextIn(plan.definition.texts, ctx.language).name : '';
    ctx.answerCallback().reply(ctx.t('plan-crypto-pay', { name }), { keyboard: new InlineKeyboard().url(ctx.t('plan-crypto-pay-button'), order.payUrl) });
  }

  /** Card transfer: payments answers the card, the amount and the tracking number; the receipt goes to payments. */
  private async cardTransfer(ctx: FeatureContext, planId: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(planId)) {
      ctx.answerCallback(ctx.t('refused-plan-gone'), { alert: true });
      return;
    }
    const transfer = await this.payments.startCardTransfer({ botId: ctx.botId, telegramUserId: ctx.telegramUserId, planId, language: ctx.language });
    if ('refused' in transfer) {
      ctx.answerCallback(ctx.t(transfer.refused === 'plan_gone' ? 'refused-plan-gone' : 'plan-buy-unavailable'), { alert: true });
      return;
    }
    ctx.answerCallback().edit(transfer.text);
  }

  /**
   * "Pay from wallet": payments pays the plan from the member's wallet (`rpc.payments.pay-from-wallet`)
   * and has it granted once; the member is thanked here, or told the balance does not cover it.
   */
  private async payFromWallet(ctx: FeatureContext, planId: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(planId)) {
      ctx.answerCallback(ctx.t('refused-plan-gone'), { alert: true });
      return;
    }
    const paid = await this.payments.payFromWallet({ botId: ctx.botId, telegramUserId: ctx.telegramUserId, planId });
    if ('refused' in paid) {
      const key = paid.refused === 'plan_gone' ? 'refused-plan-gone' : paid.refused === 'insufficient' ? 'plan-wallet-insufficient' : 'plan-buy-unavailable';
      ctx.answerCallback(ctx.t(key), { alert: true });
      return;
    }
    const plan = await this.catalog.findOffered(ctx.botId, planId);
    const name = plan ? planTextIn(plan.definition.texts, ctx.language).name : '';
    const price = formatPrices([{ currency: paid.currency, amount: paid.amount }]) ?? '';
    ctx
      .answerCallback()
      .reply(
        paid.credits !== undefined
          ? ctx.t('plan-wallet-paid-credits', { name, price, credits: paid.credits })
          : ctx.t('plan-wallet-paid-period', { name, price, end: formatMoment(paid.endsAt ?? '', ctx.timeZone) }),
      );
  }

  private async startTrial(ctx: FeatureContext): Promise<void> {
    const reply = await this.subscriptions.startTrial({ botId: ctx.botId, telegramUserId: ctx.telegramUserId });
    const subscription = reply.subscription;
    const plan = subscription?.planId ? await this.catalog.find(ctx.botId, subscription.planId) : null;
    const name = plan ? planTextIn(plan.definition.texts, ctx.language).name : '';
    ctx.edit(ctx.t('trial-started', { name, end: formatMoment(subscription?.endsAt ?? '', ctx.timeZone) }));
  }
}
