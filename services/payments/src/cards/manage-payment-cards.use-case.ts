import type {
  AddPaymentCardRequestJson,
  CardRotationJson,
  ListPaymentCardsReplyJson,
  PaymentCardViewJson,
  SetCardRotationReplyJson,
  UpdatePaymentCardRequestJson,
} from '@botplatform/contracts';
import type { Actor } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { CardNotFoundError } from './cards.errors.js';
import { PaymentCardsCommands } from './payment-cards-commands.js';
import { type CardRotation, maskCardNumber, type PaymentCard, type PaymentCardsState } from './payment-cards.decider.js';

const OPERATOR: Actor = { kind: 'system', id: 'payments-rpc' };

export const ROTATION_TO_JSON: Record<CardRotation, CardRotationJson> = {
  round_robin: 'CARD_ROTATION_ROUND_ROBIN',
  weighted: 'CARD_ROTATION_WEIGHTED',
};

/** A card as lists show it: the number masked. */
export function cardView(botId: string, card: PaymentCard): PaymentCardViewJson {
  return {
    cardId: card.cardId,
    botId,
    maskedNumber: maskCardNumber(card.number),
    holder: card.holder,
    bank: card.bank,
    currency: card.currency,
    active: card.active,
    weight: card.weight,
    assigned: String(card.assigned),
  };
}

/** Add, change and list a bot's payment cards and set its rotation (`rpc.payments.*-payment-card(s)`, `set-card-rotation`). */
@Injectable()
export class ManagePaymentCardsUseCase {
  constructor(
    private readonly cards: PaymentCardsCommands,
    private readonly clock: Clock,
  ) {}

  async add(request: AddPaymentCardRequestJson & { botId: string }): Promise<PaymentCardViewJson> {
    const cardId = randomUUID();
    const result = await this.cards.handle(
      request.botId,
      {
        type: 'AddCard',
        cardId,
        number: request.number ?? '',
        holder: request.holder ?? '',
        bank: request.bank ?? '',
        currency: request.currency ?? '',
        weight: request.weight ?? 1,
        now: this.now(),
      },
      OPERATOR,
    );
    return this.viewOf(request.botId, result.state, cardId);
  }

  async update(request: UpdatePaymentCardRequestJson & { botId: string; cardId: string }): Promise<PaymentCardViewJson> {
    const result = await this.cards.handle(
      request.botId,
      {
        type: 'ChangeCard',
        cardId: request.cardId,
        ...(request.active !== undefined ? { active: request.active } : {}),
        ...(request.weight !== undefined ? { weight: request.weight } : {}),
        ...(request.holder !== undefined ? { holder: request.holder } : {}),
        ...(request.bank !== undefined ? { bank: request.bank } : {}),
        now: this.now(),
      },
      OPERATOR,
    );
    return this.viewOf(request.botId, result.state, request.cardId);
  }

  async list(botId: string): Promise<ListPaymentCardsReplyJson> {
    const state = await this.cards.state(botId);
    return { cards: state.cards.map((card) => cardView(botId, card)), rotation: ROTATION_TO_JSON[state.rotation] };
  }

  async setRotation(botId: string, rotation: CardRotation): Promise<SetCardRotationReplyJson> {
    const result = await this.cards.handle(botId, { type: 'SetRotation', rotation, now: this.now() }, OPERATOR);
    return { rotation: ROTATION_TO_JSON[result.state.rotation], changed: result.newEvents.length > 0 };
  }

  private viewOf(botId: string, state: PaymentCardsState, cardId: string): PaymentCardViewJson {
    const card = state.cards.find((c) => c.cardId === cardId);
    if (!card) throw new CardNotFoundError(cardId);
    return cardView(botId, card);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
