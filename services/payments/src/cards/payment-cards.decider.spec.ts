import { DeciderSpecification, foldEvents } from '@botplatform/event-store';
import { CardAlreadyAddedError, CardInvalidError, CardNotFoundError, CardNumberInvalidError, NoActiveCardError } from './cards.errors.js';
import {
  type CardAdded,
  groupCardNumber,
  maskCardNumber,
  paymentCardsDecider,
  type PaymentCardsEvent,
  type PaymentCardsState,
} from './payment-cards.decider.js';

const now = '2026-11-30T12:00:00.000Z';
const added = (cardId: string, number: string, weight = 1, currency = 'RUB'): CardAdded => ({
  type: 'CardAdded',
  data: { cardId, number, holder: 'Ivan Petrov', bank: 'Bank', currency, weight, addedAt: now },
});
const spec = () => DeciderSpecification.for(paymentCardsDecider);

/** Runs `count` assignments on the state the events make, returning the card ids chosen in order. */
function assign(events: readonly PaymentCardsEvent[], count: number, currencies: readonly string[] = ['RUB']): string[] {
  let state: PaymentCardsState = foldEvents(paymentCardsDecider, events);
  const chosen: string[] = [];
  for (let i = 0; i < count; i++) {
    const [event] = paymentCardsDecider.decide({ type: 'AssignCard', paymentId: `p${i}`, currencies, now }, state);
    if (event?.type !== 'CardAssigned') throw new Error('no card assigned');
    chosen.push(event.data.cardId);
    state = paymentCardsDecider.evolve(state, event);
  }
  return chosen;
}

describe('The payment cards decider', () => {
  it('adds a card with its number as digits only', () => {
    spec()
      .given([])
      .when({ type: 'AddCard', cardId: 'a', number: '2200 1234-5678 9012', holder: ' Ivan Petrov ', bank: 'Bank', currency: 'RUB', weight: 1, now })
      .then([added('a', '2200123456789012')]);
  });

  it('refuses a malformed number, a bad currency or weight, and the same number twice', () => {
    const card = { type: 'AddCard', cardId: 'b', holder: 'H', bank: 'B', currency: 'RUB', weight: 1, now } as const;
    spec()
      .given([])
      .when({ ...card, number: '1234' })
      .thenThrows(CardNumberInvalidError);
    spec()
      .given([])
      .when({ ...card, number: '2200x23456789012' })
      .thenThrows(CardNumberInvalidError);
    spec()
      .given([])
      .when({ ...card, number: '2200123456789012', currency: 'rub' })
      .thenThrows(CardInvalidError);
    spec()
      .given([])
      .when({ ...card, number: '2200123456789012', weight: 0 })
      .thenThrows(CardInvalidError);
    spec()
      .given([])
      .when({ ...card, number: '2200123456789012', holder: ' ' })
      .thenThrows(CardInvalidError);
    spec()
      .given([added('a', '2200123456789012')])
      .when({ ...card, number: '2200 1234 5678 9012' })
      .thenThrows(CardAlreadyAddedError);
  });

  it('changes only what differs; an unknown card is refused', () => {
    spec()
      .given([added('a', '2200123456789012')])
      .when({ type: 'ChangeCard', cardId: 'a', active: false, weight: 1, now })
      .then([{ type: 'CardChanged', data: { cardId: 'a', active: false, changedAt: now } }]);
    spec()
      .given([added('a', '2200123456789012')])
      .when({ type: 'ChangeCard', cardId: 'a', active: true, now })
      .then([]);
    spec().given([]).when({ type: 'ChangeCard', cardId: 'x', active: true, now }).thenThrows(CardNotFoundError);
  });

  it('gives the active cards in turn under round robin, skipping inactive cards and other currencies', () => {
    const cards = [added('a', '1111222233334444'), added('b', '5555666677778888'), added('c', '9999000011112222', 1, 'USD'), added('d', '1234123412341234')];
    expect(assign(cards, 6)).toEqual(['a', 'b', 'd', 'a', 'b', 'd']);
    expect(assign([...cards, { type: 'CardChanged', data: { cardId: 'b', active: false, changedAt: now } }], 3)).toEqual(['a', 'd', 'a']);
    expect(assign(cards, 2, ['USD'])).toEqual(['c', 'c']);
  });

  it('gives each card exactly its weight in every run of Σweights under weighted rotation, spread out', () => {
    const cards = [added('a', '1111222233334444', 5), added('b', '5555666677778888', 1), added('c', '1234123412341234', 1)];
    const rotation: PaymentCardsEvent = { type: 'CardRotationSet', data: { rotation: 'weighted', setAt: now } };
    const chosen = assign([...cards, rotation], 14);
    expect(chosen.slice(0, 7)).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
    expect(chosen.slice(7)).toEqual(chosen.slice(0, 7));
    for (const [card, weight] of [
      ['a', 5],
      ['b', 1],
      ['c', 1],
    ] as const)
      expect(chosen.slice(0, 7).filter((id) => id === card)).toHaveLength(weight);
  });

  it('numbers transfers 1, 2, 3… per bot and refuses when no active card takes the currency', () => {
    const first = paymentCardsDecider.decide(
      { type: 'AssignCard', paymentId: 'p', currencies: ['RUB'], now },
      foldEvents(paymentCardsDecider, [added('a', '1111222233334444')]),
    );
    expect(first).toEqual([{ type: 'CardAssigned', data: { paymentId: 'p', cardId: 'a', trackingNumber: 1, rotation: 'round_robin', assignedAt: now } }]);
    spec()
      .given([added('a', '1111222233334444')])
      .when({ type: 'AssignCard', paymentId: 'p', currencies: ['EUR'], now })
      .thenThrows(NoActiveCardError);
    spec()
      .given([])
      .when({ type: 'AssignCard', paymentId: 'p', currencies: ['RUB'], now })
      .thenThrows(NoActiveCardError);
  });

  it('masks and groups a number', () => {
    expect(maskCardNumber('2200123456789012')).toBe('•••• 9012');
    expect(groupCardNumber('2200123456789012')).toBe('2200 1234 5678 9012');
  });
});
