import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PaymentCommands } from '../payment/payment-commands.js';
import { PlanNotForSaleError } from '../payment/payment.errors.js';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { CardTransferCommands } from './card-transfer-commands.js';
import { NoActiveCardError } from './cards.errors.js';
import { PaymentCardsCommands } from './payment-cards-commands.js';
import type { PaymentCard } from './payment-cards.decider.js';

export interface StartCardTransferInput {
  readonly botId: string;
  readonly telegramUserId: string;
  readonly planId: string;
  readonly language: string;
}

export interface StartedCardTransfer {
  readonly paymentId: string;
  readonly trackingNumber: number;
  readonly card: PaymentCard;
  readonly currency: string;
  readonly amount: string;
}

/** The plan's prices a card can be paid in: every currency but Telegram Stars. */
export function cardCurrenciesOf(prices: readonly { currency?: string; amount?: string }[] | undefined): Map<string, string> {
  return new Map(
    (prices ?? []).filter((price) => price.currency && price.currency !== 'XTR' && BigInt(price.amount ?? '0') > 0n).map((p) => [p.currency!, p.amount!]),
  );
}

/**
 * A member chose card transfer for a plan: the plan's price is read from subscriptions now, the bot's
 * rotation picks one of its active cards in a currency the plan has a price in (with the transfer's
 * tracking number), the pending payment is stored in that card's currency, and the transfer opened.
 */
@Injectable()
export class StartCardTransferUseCase {
  constructor(
    private readonly cards: PaymentCardsCommands,
    private readonly transfers: CardTransferCommands,
    private readonly payments: PaymentCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly clock: Clock,
  ) {}

  /** True when the plan can be paid by card transfer now: on sale, with a price some active card takes. */
  async offered(botId: string, planId: string): Promise<boolean> {
    const [plan, state] = await Promise.all([this.subscriptions.plan(botId, planId), this.cards.state(botId)]);
    if (!plan?.forSale) return false;
    const prices = cardCurrenciesOf(plan.view.definition?.prices);
    return state.cards.some((card) => card.active && prices.has(card.currency));
  }

  async execute(input: StartCardTransferInput): Promise<StartedCardTransfer> {
    const plan = await this.subscriptions.plan(input.botId, input.planId);
    if (!plan?.forSale) throw new PlanNotForSaleError(input.planId);
    const prices = cardCurrenciesOf(plan.view.definition?.prices);
    if (prices.size === 0) throw new NoActiveCardError([]);
    const paymentId = randomUUID();
    const now = this.clock.now().toISOString();
    const actor = { kind: 'user', id: `telegram:${input.telegramUserId}` } as const;
    const assigned = await this.cards.handle(input.botId, { type: 'AssignCard', paymentId, currencies: [...prices.keys()], now }, actor);
    const event = assigned.newEvents[0];
    if (event?.type !== 'CardAssigned') throw new NoActiveCardError([...prices.keys()]);
    const card = assigned.state.cards.find((c) => c.cardId === event.data.cardId)!;
    const amount = prices.get(card.currency)!;
    await this.payments.handle(
      {
        type: 'CreatePayment',
        paymentId,
        botId: input.botId,
        telegramUserId: input.telegramUserId,
        planId: input.planId,
        currency: card.currency,
        amount,
        provider: 'card',
        now,
      },
      { botId: input.botId, actor },
    );
    await this.transfers.handle(
      input.botId,
      {
        type: 'OpenTransfer',
        paymentId,
        botId: input.botId,
        telegramUserId: input.telegramUserId,
        language: input.language,
        planId: input.planId,
        cardId: card.cardId,
        trackingNumber: event.data.trackingNumber,
        currency: card.currency,
        amount,
        now,
      },
      actor,
    );
    return { paymentId, trackingNumber: event.data.trackingNumber, card, currency: card.currency, amount };
  }
}
