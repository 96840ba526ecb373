import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard, type Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { PlanCatalog } from '../plan/plan-catalog.js';
import { Clock } from '../shared/clock.js';
import { ManageSubscriptionsUseCase } from '../subscription/manage-subscriptions.use-case.js';
import { SubscriptionDirectory } from '../subscription/subscription-directory.js';
import { isRunning, type SubscriptionView } from '../subscription/subscription.decider.js';
import { planTextIn } from './formatting.js';
import { PaymentsClient } from './payments.client.js';
import { planButtons } from './plans.feature.js';
import { refusalsAnswered } from './refusals.js';
import { statusLines } from './subscription-status.js';

/** Buttons of /subscription: `subme:ren:on|off`. */
export const mySubscriptionButtons = new CallbackData('subme');

/**
 * `/subscription`: the member's own subscription (plan or trial and its end in the bot's time zone,
 * credits left, or none) with renewal on or off and a button to switch it (the cancel and resume
 * renewal use cases, for the member of the context: the button names no one). A member without a
 * running period gets the plans instead. A Stars subscription is switched in Telegram first (through
 * payments and the gateway), since Telegram charges it by itself.
 */
@Injectable()
export class MySubscriptionFeature {
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
        'subscription',
        { description: { en: translate('en', 'command-subscription'), ru: translate('ru', 'command-subscription') } },
        refusalsAnswered(async (ctx) => {
          const status = await this.status(ctx, await this.directory.viewOf(ctx.botId, ctx.telegramUserId));
          ctx.reply(status.text, { keyboard: status.keyboard });
        }),
      )
      .callback(
        mySubscriptionButtons,
        refusalsAnswered((ctx) => this.press(ctx)),
      );
  }

  private async press(ctx: FeatureContext): Promise<void> {
    if (ctx.callback?.action !== 'ren') return;
    const on = ctx.callback.args[0] === 'on';
    const telegram = await this.payments.switchStarRenewal({ botId: ctx.botId, telegramUserId: ctx.telegramUserId, on });
    if (telegram !== 'done') {
      ctx.answerCallback(ctx.t(telegram === 'canceled_by_member' ? 'renewal-canceled-in-telegram' : 'renewal-switch-unavailable'), { alert: true });
      return;
    }
    const reply = await this.subscriptions.switchRenewal({ botId: ctx.botId, telegramUserId: ctx.telegramUserId }, on ? 'ResumeRenewal' : 'CancelRenewal');
    // The view after the switch, as the read model has it (the reply's contract form leaves details out).
    const status = await this.status(ctx, await this.directory.viewOf(ctx.botId, ctx.telegramUserId));
    ctx.edit(status.text, { keyboard: status.keyboard });
    ctx.answerCallback(reply.changed ? ctx.t(on ? 'renewal-turned-on' : 'renewal-turned-off') : undefined);
  }

  private async status(ctx: FeatureContext, view: SubscriptionView): Promise<{ text: string; keyboard: InlineKeyboard }> {
    const plans = await this.catalog.listOffered(ctx.botId, { includeArchived: true });
    const names = new Map(plans.map((plan) => [plan.planId, planTextIn(plan.definition.texts, ctx.language).name]));
    const now = this.clock.now();
    const text = statusLines(ctx, view, (planId) => names.get(planId) ?? '?', now).join('\n');
    const keyboard = new InlineKeyboard();
    if (isRunning(view.period, now.toISOString())) {
      // A trial is not renewed: nothing to switch.
      if (!view.period.trial) {
        keyboard.text(
          ctx.t(view.period.renewalCancelled ? 'button-renewal-on' : 'button-renewal-off'),
          mySubscriptionButtons.encode('ren', view.period.renewalCancelled ? 'on' : 'off'),
        );
      }
    } else {
      keyboard.text(ctx.t('button-see-plans'), planButtons.encode('plans'));
    }
    return { text, keyboard };
  }
}
