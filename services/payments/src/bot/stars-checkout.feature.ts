import type { BotFeatureRouter, FeatureContext } from '@botplatform/bot-kit';
import { RpcCallError } from '@botplatform/bus';
import { Injectable, Logger } from '@nestjs/common';
import { CheckOutUseCase, type CheckoutRefusal } from '../payment/check-out.use-case.js';
import { CompletePaymentUseCase } from '../payment/complete-payment.use-case.js';
import { planTextIn } from '../payment/create-payment.use-case.js';
import { NoteStarSubscriptionUseCase } from '../payment/note-star-subscription.use-case.js';
import { PaymentsError } from '../payments.errors.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';

const REFUSAL_TEXTS: Record<CheckoutRefusal, string> = {
  unknown_order: 'checkout-unknown-order',
  already_paid: 'checkout-already-paid',
  order_closed: 'checkout-order-closed',
  plan_unavailable: 'checkout-plan-unavailable',
  price_changed: 'checkout-price-changed',
  try_again: 'checkout-try-again',
};

/**
 * Telegram Stars one-off purchases, after the invoice that subscriptions' "Buy" sent: the pre-checkout
 * is answered (yes, or no with the reason in the member's language) once the order is checked; the
 * `successful_payment` completes the payment and has the plan granted, thanking the member once (a
 * duplicated update completes nothing and grants nothing again, so it says nothing); a `refunded_payment`
 * is acknowledged. Stars subscriptions: each renewal's `successful_payment` extends once the same way;
 * the `subscription` update (the member's switch in Telegram, or a renewal Telegram could not charge)
 * switches the member's renewal at once.
 */
@Injectable()
export class StarsCheckoutFeature {
  private readonly logger = new Logger('StarsCheckout');

  constructor(
    private readonly checkOut: CheckOutUseCase,
    private readonly complete: CompletePaymentUseCase,
    private readonly subscriptions: SubscriptionsClient,
    private readonly noteStarSubscription: NoteStarSubscriptionUseCase,
  ) {}

  register(router: BotFeatureRouter): BotFeatureRouter {
    return router
      .update('pre_checkout_query', (ctx) => this.preCheckout(ctx))
      .message('successful_payment', (ctx) => this.paid(ctx))
      .update('subscription', (ctx) => this.subscriptionChanged(ctx))
      .message('refunded_payment', (ctx) => {
        ctx.reply(ctx.t('refunded', { amount: ctx.message?.refundedPayment?.totalAmount?.toString() ?? '' }));
      });
  }

  private async preCheckout(ctx: FeatureContext): Promise<void> {
    const query = ctx.preCheckout;
    const verdict = await this.checkOut.execute({
      botId: ctx.botId,
      telegramUserId: ctx.telegramUserId,
      payload: query?.invoicePayload ?? '',
      currency: query?.currency ?? '',
      totalAmount: query?.totalAmount?.toString() ?? '0',
    });
    if (verdict.ok) ctx.answerPreCheckout(true);
    else ctx.answerPreCheckout(false, ctx.t(REFUSAL_TEXTS[verdict.refusal]));
  }

  private async subscriptionChanged(ctx: FeatureContext): Promise<void> {
    const update = ctx.subscription;
    const noted = (await noteOrDrop(
      () =>
        this.noteStarSubscription.execute({
          botId: ctx.botId,
          telegramUserId: ctx.telegramUserId,
          paymentId: update?.invoicePayload ?? '',
          state: update?.state ?? '',
        }),
      this.logger,
      `subscription update ${update?.state} for ${update?.invoicePayload} in bot ${ctx.botId}`,
    )) as Awaited<ReturnType<NoteStarSubscriptionUseCase['execute']>> | undefined;
    // The member switched it themselves in Telegram and sees it there; a failed charge is news to them.
    if (noted?.state === 'failed' && noted.changed) ctx.reply(ctx.t('subscription-failed'));
  }

  private async paid(ctx: FeatureContext): Promise<void> {
    const payment = ctx.message?.successfulPayment;
    let completed: Awaited<ReturnType<CompletePaymentUseCase['execute']>>;
    try {
      completed = await this.complete.execute({
        botId: ctx.botId,
        telegramUserId: ctx.telegramUserId,
        paymentId: payment?.invoicePayload ?? '',
        chargeId: payment?.telegramPaymentChargeId ?? '',
        currency: payment?.currency ?? '',
        totalAmount: payment?.totalAmount?.toString() ?? '0',
        ...(payment?.subscriptionExpirationDate ? { subscriptionExpirationDate: payment.subscriptionExpirationDate.toString() } : {}),
      });
    } catch (error) {
      // Away or failing for now: thrown, so the gateway handles the update again (both steps are idempotent).
      // A refusal (ours, or subscriptions' such as a plan archived since the checkout) will not change on a retry.
      const refusal =
        error instanceof PaymentsError ? error.code : error instanceof RpcCallError && error.code.startsWith('SUBSCRIPTIONS.') ? error.code : undefined;
      if (!refusal || refusal === 'PAYMENTS.DEPENDENCY_UNAVAILABLE') throw error;
      // The money is taken whatever we think of it: logged for the bot's admins, the member told so.
      this.logger.error(`successful_payment ${payment?.telegramPaymentChargeId} in bot ${ctx.botId} not applied: ${refusal}: ${(error as Error).message}`);
      ctx.reply(ctx.t(refusal.startsWith('SUBSCRIPTIONS.') ? 'paid-not-granted' : 'paid-unmatched'));
      return;
    }
    if (!completed.granted) return;
    const plan = await this.subscriptions.plan(ctx.botId, completed.planId).catch(() => null);
    const name = plan ? planTextIn(plan.view, ctx.language).name : '';
    const kind = plan?.view.definition;
    if (completed.renewal) {
      ctx.reply(ctx.t('renewed', { name, end: formatMoment(completed.subscription.endsAt ?? '', ctx.timeZone) }));
    } else if (kind?.credits !== undefined) {
      ctx.reply(ctx.t('paid-credits', { name, credits: completed.subscription.credits ?? 0 }));
    } else {
      ctx.reply(ctx.t('paid-period', { name, end: formatMoment(completed.subscription.endsAt ?? '', ctx.timeZone) }));
    }
  }
}

/** An unknown payload (not ours, or another member's) is logged and dropped: a retry would not change it. */
async function noteOrDrop(run: () => Promise<unknown>, logger: Logger, what: string): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof PaymentsError) || error.code === 'PAYMENTS.DEPENDENCY_UNAVAILABLE') throw error;
    logger.warn(`${what} not applied: ${error.code}: ${error.message}`);
    return undefined;
  }
}

/** "2026-12-01 13:00 (Europe/Berlin)": numeric, in the bot's time zone (UTC when the zone is unknown). */
export function formatMoment(iso: string, timeZone: string): string {
  let zone = timeZone || 'UTC';
  let format: Intl.DateTimeFormat;
  try {
    format = dateTimeFormat(zone);
  } catch {
    zone = 'UTC';
    format = dateTimeFormat(zone);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${zone})`;
}

function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}
