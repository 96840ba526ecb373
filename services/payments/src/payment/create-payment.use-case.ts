import type { CreatePaymentReplyJson, PlanViewJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { StarsProvider } from '../providers/stars/stars.provider.js';
import { discounted, MemberDiscounts } from '../promo/member-discounts.js';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { PaymentCommands } from './payment-commands.js';
import { STARS_SUBSCRIPTION_PERIOD_SECONDS } from './payment.decider.js';
import { PlanNotForSaleError } from './payment.errors.js';

export interface CreatePaymentInput {
  readonly botId: string;
  readonly telegramUserId: string;
  readonly planId: string;
  readonly language: string;
}

const STARS = new StarsProvider();

/** Telegram's bounds of an invoice's title and description. */
const TITLE_MAX = 32;
const DESCRIPTION_MAX = 255;
/** The highest price Telegram accepts for a Stars subscription's period. */
const STARS_SUBSCRIPTION_MAX = 10_000n;
const STARS_SUBSCRIPTION_DAYS = STARS_SUBSCRIPTION_PERIOD_SECONDS / 86_400;

/**
 * A member orders a plan in Telegram Stars: the plan and its price are read from subscriptions now (the
 * price in the order is the one the checkout will compare with), the pending payment is stored, and the
 * invoice to send carries the payment's id as its payload.
 *
 * A plan of exactly 30 days (the only period Telegram renews) priced within Telegram's subscription limit
 * is sold as a Stars subscription: the invoice has `subscription_period` 2592000 and must be sent as an
 * invoice link; Telegram then charges every 30 days with the same payload, each charge a renewal of this
 * payment. Any other plan is a one-off invoice.
 */
@Injectable()
export class CreatePaymentUseCase {
  constructor(
    private readonly payments: PaymentCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly clock: Clock,
    private readonly discounts: MemberDiscounts,
  ) {}

  async execute(input: CreatePaymentInput): Promise<CreatePaymentReplyJson> {
    const plan = await this.subscriptions.plan(input.botId, input.planId);
    if (!plan?.forSale || !plan.starsAmount) throw new PlanNotForSaleError(input.planId);
    const paymentId = randomUUID();
    const recurring = plan.view.definition?.periodDays === STARS_SUBSCRIPTION_DAYS && BigInt(plan.starsAmount) <= STARS_SUBSCRIPTION_MAX;
    const subscriptionPeriod = recurring ? { subscriptionPeriod: STARS_SUBSCRIPTION_PERIOD_SECONDS } : {};
    // A promo discount applies to a one-off invoice; a Stars subscription is charged its invoice's price every period.
    const discount = recurring ? null : await this.discounts.openFor(input.botId, input.telegramUserId, 'XTR');
    const amount = discount ? discounted(plan.starsAmount, discount) : plan.starsAmount;
    const discountFields = discount ? { listAmount: plan.starsAmount, discountId: discount.redemptionId } : {};
    await this.payments.handle(
      {
        type: 'CreatePayment',
        paymentId,
        botId: input.botId,
        telegramUserId: input.telegramUserId,
        planId: input.planId,
        currency: 'XTR',
        amount,
        ...discountFields,
        ...subscriptionPeriod,
        now: this.clock.now().toISOString(),
      },
      { botId: input.botId, actor: { kind: 'user', id: `telegram:${input.telegramUserId}` } },
    );
    const text = invoiceTextOf(plan.view, input.language);
    // Stars behind the provider interface (src/providers/): the XTR invoice with the payment id as payload.
    const checkout = await STARS.createCheckout({
      paymentId,
      botId: input.botId,
      telegramUserId: input.telegramUserId,
      currency: 'XTR',
      amount,
      ...text,
      ...subscriptionPeriod,
    });
    return { paymentId, ...(checkout.kind === 'invoice' ? { invoice: checkout.invoice } : { payUrl: checkout.url }) };
  }
}

/** The plan's name and description in the member's language, else English, else the first it has. */
export function planTextIn(plan: PlanViewJson, language: string): { name: string; description: string } {
  const texts = plan.definition?.texts ?? [];
  const text = texts.find((t) => t.language === language) ?? texts.find((t) => t.language === 'en') ?? texts[0];
  return { name: text?.name || '?', description: text?.description ?? '' };
}

/** The invoice's title and description in the member's language, within Telegram's bounds. */
export function invoiceTextOf(plan: PlanViewJson, language: string): { title: string; description: string } {
  const text = planTextIn(plan, language);
  return { title: clip(text.name, TITLE_MAX), description: clip(text.description || text.name, DESCRIPTION_MAX) };
}

function clip(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}
