import { DeciderSpecification } from '@botplatform/event-store';
import { describe, it } from '@jest/globals';
import {
  promoDecider,
  type CreatePromoCode,
  type PromoCodeCreated,
  type PromoCodeRedeemed,
  type PromoDefinition,
  type RedeemPromoCode,
} from './promo.decider.js';
import {
  PromoAlreadyRedeemedError,
  PromoExistsError,
  PromoExpiredError,
  PromoInactiveError,
  PromoInvalidError,
  PromoNotFoundError,
  PromoUsedUpError,
} from './promo.errors.js';

const botId = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const otherBot = '1c8e7b63-2d2f-4b8f-8c72-4a2a1d9e3f21';
const planId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const definition: PromoDefinition = {
  reward: { kind: 'grant_plan', planId },
  maxUses: 2,
  reusableByMember: false,
  expiresAt: '2026-12-31T00:00:00.000Z',
  active: true,
};
const create: CreatePromoCode = { type: 'CreatePromoCode', botId, code: 'SPRING25', definition, createdBy: 'api:admin', now: '2026-11-30T10:00:00.000Z' };
const created: PromoCodeCreated = {
  type: 'PromoCodeCreated',
  data: { botId, code: 'SPRING25', definition, createdBy: 'api:admin', createdAt: '2026-11-30T10:00:00.000Z' },
};
const redeem = (telegramUserId: string, now = '2026-12-01T10:00:00.000Z'): RedeemPromoCode => ({
  type: 'RedeemPromoCode',
  botId,
  code: 'SPRING25',
  telegramUserId,
  now,
});
const redeemed = (telegramUserId: string, use: number): PromoCodeRedeemed => ({
  type: 'PromoCodeRedeemed',
  data: {
    botId,
    code: 'SPRING25',
    telegramUserId,
    redemptionId: `promo:${botId}:SPRING25:${use}`,
    use,
    reward: definition.reward,
    redeemedAt: '2026-12-01T10:00:00.000Z',
  },
});
const spec = () => DeciderSpecification.for(promoDecider);

describe('promo code decider', () => {
  it('creates a code once, and refuses a malformed one', () => {
    spec().given([]).when(create).then([created]);
    spec().given([created]).when(create).thenThrows(PromoExistsError);
    spec()
      .given([])
      .when({ ...create, code: 'a b' })
      .thenThrows(PromoInvalidError);
    spec()
      .given([])
      .when({ ...create, definition: { ...definition, reward: { kind: 'percent_off', percent: 150 } } })
      .thenThrows(PromoInvalidError);
    spec()
      .given([])
      .when({ ...create, definition: { ...definition, reward: { kind: 'wallet_top_up', currency: 'XTR', amount: '0' } } })
      .thenThrows(PromoInvalidError);
  });

  it('redeems with a use number that keys the reward', () => {
    spec()
      .given([created])
      .when(redeem('42'))
      .then([redeemed('42', 1)]);
    spec()
      .given([created, redeemed('42', 1)])
      .when(redeem('43'))
      .then([redeemed('43', 2)]);
  });

  it('refuses the same member twice, a code with no uses left, expired, inactive, unknown or of another bot', () => {
    spec()
      .given([created, redeemed('42', 1)])
      .when(redeem('42'))
      .thenThrows(PromoAlreadyRedeemedError);
    spec()
      .given([created, redeemed('42', 1), redeemed('43', 2)])
      .when(redeem('44'))
      .thenThrows(PromoUsedUpError);
    spec().given([created]).when(redeem('42', '2026-12-31T00:00:00.000Z')).thenThrows(PromoExpiredError);
    spec()
      .given([created, { type: 'PromoCodeActiveSet', data: { botId, code: 'SPRING25', active: false, by: 'api:admin', at: '2026-11-30T11:00:00.000Z' } }])
      .when(redeem('42'))
      .thenThrows(PromoInactiveError);
    spec().given([]).when(redeem('42')).thenThrows(PromoNotFoundError);
    spec()
      .given([created])
      .when({ ...redeem('42'), botId: otherBot })
      .thenThrows(PromoNotFoundError);
  });

  it('lets a member redeem a reusable code again', () => {
    const reusable = { ...created, data: { ...created.data, definition: { ...definition, reusableByMember: true, maxUses: undefined } } } as PromoCodeCreated;
    spec()
      .given([reusable, redeemed('42', 1)])
      .when(redeem('42'))
      .then([{ ...redeemed('42', 2), data: { ...redeemed('42', 2).data } }]);
  });
});
