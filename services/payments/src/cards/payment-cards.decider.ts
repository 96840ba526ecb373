import type { Decider, DomainEvent } from '@botplatform/event-store';
import { CardAlreadyAddedError, CardInvalidError, CardNotFoundError, CardNumberInvalidError, NoActiveCardError } from './cards.errors.js';

export type CardRotation = 'round_robin' | 'weighted';

export const CARD_WEIGHT_MAX = 1000;

export interface AddCard {
  readonly type: 'AddCard';
  readonly cardId: string;
  readonly number: string;
  readonly holder: string;
  readonly bank: string;
  readonly currency: string;
  readonly weight: number;
  readonly now: string;
}

/** Only the fields given change. */
export interface ChangeCard {
  readonly type: 'ChangeCard';
  readonly cardId: string;
  readonly active?: boolean;
  readonly weight?: number;
  readonly holder?: string;
  readonly bank?: string;
  readonly now: string;
}

export interface SetRotation {
  readonly type: 'SetRotation';
  readonly rotation: CardRotation;
  readonly now: string;
}

/** A transfer needs a card: one of the active cards in `currencies` (those the plan has a price in), by the bot's rotation. */
export interface AssignCard {
  readonly type: 'AssignCard';
  readonly paymentId: string;
  readonly currencies: readonly string[];
  readonly now: string;
}

export type PaymentCardsCommand = AddCard | ChangeCard | SetRotation | AssignCard;

interface CardData {
  cardId: string;
  number: string;
  holder: string;
  bank: string;
  currency: string;
  weight: number;
}

export type CardAdded = DomainEvent<'CardAdded', CardData & { addedAt: string }>;
export type CardChanged = DomainEvent<'CardChanged', { cardId: string; active?: boolean; weight?: number; holder?: string; bank?: string; changedAt: string }>;
export type CardRotationSet = DomainEvent<'CardRotationSet', { rotation: CardRotation; setAt: string }>;
/**
 * A card given for a transfer. `trackingNumber` is the bot's sequence of transfers (unique per bot: the
 * stream is locked); `credits` are the weighted rotation's counters after the choice (absent under round robin).
 */
export type CardAssigned = DomainEvent<
  'CardAssigned',
  { paymentId: string; cardId: string; trackingNumber: number; rotation: CardRotation; credits?: Record<string, number>; assignedAt: string }
>;

export type PaymentCardsEvent = CardAdded | CardChanged | CardRotationSet | CardAssigned;

export const PAYMENT_CARDS_EVENT_TYPES = [
  'CardAdded',
  'CardChanged',
  'CardRotationSet',
  'CardAssigned',
] as const satisfies readonly PaymentCardsEvent['type'][];

export interface PaymentCard extends CardData {
  readonly active: boolean;
  readonly assigned: number;
}

export interface PaymentCardsState {
  readonly rotation: CardRotation;
  /** In the order they were added. */
  readonly cards: readonly PaymentCard[];
  /** Transfers assigned so far: the last tracking number. */
  readonly assignments: number;
  readonly lastCardId: string | null;
  /** Smooth weighted round robin: each card's running credit. */
  readonly credits: Readonly<Record<string, number>>;
}

const DIGITS = /^[0-9]{12,19}$/;
const CURRENCY = /^[A-Z]{3}$/;

/** The number as stored: digits only. */
export function normalizeCardNumber(number: string): string {
  return number.replace(/[\s-]/g, '');
}

/** "•••• 1234". */
export function maskCardNumber(number: string): string {
  return `•••• ${number.slice(-4)}`;
}

/** "2200 1234 5678 9012": the number in groups of four, as a member types it in their bank's app. */
export function groupCardNumber(number: string): string {
  return number.replace(/(.{4})(?=.)/g, '$1 ');
}

function checkText(what: string, value: string, max: number): void {
  if (value.trim().length === 0 || value.length > max) throw new CardInvalidError(`a card's ${what} is 1 to ${max} characters`);
}

function checkWeight(weight: number): void {
  if (!Number.isInteger(weight) || weight < 1 || weight > CARD_WEIGHT_MAX)
    throw new CardInvalidError(`a card's weight is an integer from 1 to ${CARD_WEIGHT_MAX}`);
}

/**
 * One bot's payment cards and their rotation (stream `payment-cards-<botId>`, locked on each command, so
 * two transfers never race for the same turn or tracking number). Round robin gives each active card in
 * the added order in turn; weighted is the smooth weighted round robin (each eligible card's credit grows
 * by its weight, the richest is chosen and pays the total): deterministic, and over any run of
 * Σweights assignments each card gets exactly its weight.
 */
export const paymentCardsDecider: Decider<PaymentCardsState, PaymentCardsCommand, PaymentCardsEvent> = {
  initialState: () => ({ rotation: 'round_robin', cards: [], assignments: 0, lastCardId: null, credits: {} }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'CardAdded': {
        const { addedAt: _at, ...card } = event.data;
        return { ...state, cards: [...state.cards, { ...card, active: true, assigned: 0 }] };
      }
      case 'CardChanged': {
        const { cardId, changedAt: _at, ...change } = event.data;
        return { ...state, cards: state.cards.map((card) => (card.cardId === cardId ? { ...card, ...change } : card)) };
      }
      case 'CardRotationSet':
        return { ...state, rotation: event.data.rotation, credits: {} };
      case 'CardAssigned':
        return {
          ...state,
          assignments: event.data.trackingNumber,
          lastCardId: event.data.cardId,
          credits: event.data.credits ?? state.credits,
          cards: state.cards.map((card) => (card.cardId === event.data.cardId ? { ...card, assigned: card.assigned + 1 } : card)),
        };
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'AddCard': {
        const number = normalizeCardNumber(command.number);
        if (!DIGITS.test(number)) throw new CardNumberInvalidError();
        checkText('holder', command.holder, 100);
        checkText('bank', command.bank, 100);
        if (!CURRENCY.test(command.currency)) throw new CardInvalidError('a card currency is an ISO 4217 code such as RUB');
        checkWeight(command.weight);
        const same = state.cards.find((card) => card.number === number);
        if (same) throw new CardAlreadyAddedError(same.cardId);
        const { cardId, holder, bank, currency, weight, now } = command;
        return [{ type: 'CardAdded', data: { cardId, number, holder: holder.trim(), bank: bank.trim(), currency, weight, addedAt: now } }];
      }
      case 'ChangeCard': {
        const card = state.cards.find((c) => c.cardId === command.cardId);
        if (!card) throw new CardNotFoundError(command.cardId);
        if (command.weight !== undefined) checkWeight(command.weight);
        if (command.holder !== undefined) checkText('holder', command.holder, 100);
        if (command.bank !== undefined) checkText('bank', command.bank, 100);
        const change = {
          ...(command.active !== undefined && command.active !== card.active ? { active: command.active } : {}),
          ...(command.weight !== undefined && command.weight !== card.weight ? { weight: command.weight } : {}),
          ...(command.holder !== undefined && command.holder.trim() !== card.holder ? { holder: command.holder.trim() } : {}),
          ...(command.bank !== undefined && command.bank.trim() !== card.bank ? { bank: command.bank.trim() } : {}),
        };
        if (Object.keys(change).length === 0) return [];
        return [{ type: 'CardChanged', data: { cardId: card.cardId, ...change, changedAt: command.now } }];
      }
      case 'SetRotation':
        if (command.rotation === state.rotation) return [];
        return [{ type: 'CardRotationSet', data: { rotation: command.rotation, setAt: command.now } }];
      case 'AssignCard': {
        const eligible = state.cards.filter((card) => card.active && command.currencies.includes(card.currency));
        if (eligible.length === 0) throw new NoActiveCardError(command.currencies);
        const base = { paymentId: command.paymentId, trackingNumber: state.assignments + 1, rotation: state.rotation, assignedAt: command.now };
        if (state.rotation === 'round_robin') return [{ type: 'CardAssigned', data: { ...base, cardId: nextInTurn(state, eligible).cardId } }];
        const { chosen, credits } = smoothWeighted(state.credits, eligible);
        return [{ type: 'CardAssigned', data: { ...base, cardId: chosen.cardId, credits } }];
      }
    }
  },
};

/** The first eligible card after the last one given, in the added order, wrapping around. */
function nextInTurn(state: PaymentCardsState, eligible: readonly PaymentCard[]): PaymentCard {
  const last = state.cards.findIndex((card) => card.cardId === state.lastCardId);
  const position = (card: PaymentCard) => state.cards.indexOf(card);
  return eligible.find((card) => position(card) > last) ?? (eligible[0] as PaymentCard);
}

/** Smooth weighted round robin (nginx's): credits of cards no longer eligible are dropped. */
function smoothWeighted(
  previous: Readonly<Record<string, number>>,
  eligible: readonly PaymentCard[],
): { chosen: PaymentCard; credits: Record<string, number> } {
  const credits: Record<string, number> = {};
  let total = 0;
  let chosen = eligible[0] as PaymentCard;
  for (const card of eligible) {
    credits[card.cardId] = (previous[card.cardId] ?? 0) + card.weight;
    total += card.weight;
    if ((credits[card.cardId] as number) > (credits[chosen.cardId] as number)) chosen = card;
  }
  credits[chosen.cardId] = (credits[chosen.cardId] as number) - total;
  return { chosen, credits };
}

/** The stream of one bot's cards. */
export const paymentCardsStreamId = (botId: string): string => `payment-cards-${botId}`;

/** A tracking number as the member and the admins see it: "C-0042". */
export function formatTrackingNumber(trackingNumber: number): string {
  return `C-${String(trackingNumber).padStart(4, '0')}`;
}
