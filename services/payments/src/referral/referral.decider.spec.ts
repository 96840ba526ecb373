import { DeciderSpecification } from '@botplatform/event-store';
import { describe, expect, it } from '@jest/globals';
import { referralLinkDecider, referrerOfPayload, type LinkReferral, type ReferralLinked } from './referral-link.decider.js';
import {
  referralRewardDecider,
  referralRewardStreamId,
  shareOf,
  type ReferralRewarded,
  type ReferralRewardsReversed,
  type RewardReferrers,
} from './referral-reward.decider.js';
import { referralSharesOf } from './referral-settings.js';

const botId = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const paymentId = '6a1f6c39-5d0e-4f43-8a59-1d6a1c1f0b21';
const at = '2026-12-01T10:00:00.000Z';

const link = (extra: Partial<LinkReferral> = {}): LinkReferral => ({
  type: 'LinkReferral',
  botId,
  referredTelegramUserId: '200',
  referrerTelegramUserId: '100',
  referrerIsMember: true,
  joinedAt: at,
  ...extra,
});
const linked = (referred = '200', referrer = '100'): ReferralLinked => ({
  type: 'ReferralLinked',
  data: { botId, referredTelegramUserId: referred, referrerTelegramUserId: referrer, joinedAt: at },
});

const reward = (extra: Partial<RewardReferrers> = {}): RewardReferrers => ({
  type: 'RewardReferrers',
  botId,
  paymentId,
  referredTelegramUserId: '300',
  currency: 'XTR',
  amount: '250',
  chain: [
    { level: 1, referrerTelegramUserId: '200', basisPoints: 1000 },
    { level: 2, referrerTelegramUserId: '100', basisPoints: 250 },
  ],
  now: at,
  ...extra,
});
const rewarded = (level: number, referrer: string, basisPoints: number, amount: string, paymentAmount = '250'): ReferralRewarded => ({
  type: 'ReferralRewarded',
  data: {
    botId,
    paymentId,
    level,
    referrerTelegramUserId: referrer,
    referredTelegramUserId: '300',
    currency: 'XTR',
    paymentAmount,
    basisPoints,
    amount,
    rewardedAt: at,
  },
});
const reversed = (reversals: ReferralRewardsReversed['data']['reversals']): ReferralRewardsReversed => ({
  type: 'ReferralRewardsReversed',
  data: { botId, paymentId, reversals, reason: 'asked', reversedAt: at },
});

describe('referral link decider', () => {
  it('links a new member to the member whose link they came through', () => {
    DeciderSpecification.for(referralLinkDecider).given([]).when(link()).then([linked()]);
  });

  it('links once: a second join (a redelivered registration) changes nothing, even naming another referrer', () => {
    DeciderSpecification.for(referralLinkDecider).given([linked()]).when(link()).then([]);
    DeciderSpecification.for(referralLinkDecider)
      .given([linked()])
      .when(link({ referrerTelegramUserId: '150' }))
      .then([]);
  });

  it('ignores a self-referral', () => {
    DeciderSpecification.for(referralLinkDecider)
      .given([])
      .when(link({ referrerTelegramUserId: '200' }))
      .then([]);
  });

  it('ignores a referrer who is no member of the bot', () => {
    DeciderSpecification.for(referralLinkDecider)
      .given([])
      .when(link({ referrerIsMember: false }))
      .then([]);
  });

  it('reads ref_<id> payloads only', () => {
    expect(referrerOfPayload('ref_12345')).toBe('12345');
    expect(referrerOfPayload(' ref_7 ')).toBe('7');
    for (const payload of [undefined, '', 'ref_', 'ref_0', 'ref_01', 'ref_12a', 'promo_SPRING', 'ref_12345678901234567', 'REF_1']) {
      expect(referrerOfPayload(payload)).toBeNull();
    }
  });
});

describe('referral reward decider', () => {
  it('rewards each level of the chain its share of the payment, rounded down', () => {
    DeciderSpecification.for(referralRewardDecider)
      .given([])
      .when(reward())
      // 10 % of 250 = 25; 2.5 % of 250 = 6.25 → 6.
      .then([rewarded(1, '200', 1000, '25'), rewarded(2, '100', 250, '6')]);
  });

  it('rewards once per payment and level: a redelivered completion decides nothing', () => {
    DeciderSpecification.for(referralRewardDecider)
      .given([rewarded(1, '200', 1000, '25'), rewarded(2, '100', 250, '6')])
      .when(reward())
      .then([]);
  });

  it('rewards only the levels not yet rewarded', () => {
    DeciderSpecification.for(referralRewardDecider)
      .given([rewarded(1, '200', 1000, '25')])
      .when(reward())
      .then([rewarded(2, '100', 250, '6')]);
  });

  it('gives nothing for a share that rounds down to zero', () => {
    DeciderSpecification.for(referralRewardDecider)
      .given([])
      .when(reward({ amount: '3' }))
      .then([]);
  });

  it('never rewards the payer, cutting a chain that loops back to them', () => {
    DeciderSpecification.for(referralRewardDecider)
      .given([])
      .when(
        reward({
          chain: [
            { level: 1, referrerTelegramUserId: '300', basisPoints: 1000 },
            { level: 2, referrerTelegramUserId: '100', basisPoints: 1000 },
          ],
        }),
      )
      .then([]);
  });

  it('reverses every reward of a refunded payment, once', () => {
    const given = [rewarded(1, '200', 1000, '25'), rewarded(2, '100', 250, '6')];
    const reverse = { type: 'ReverseReferralRewards', botId, paymentId, reason: 'asked', now: at } as const;
    DeciderSpecification.for(referralRewardDecider)
      .given(given)
      .when(reverse)
      .then([
        reversed([
          { level: 1, referrerTelegramUserId: '200', currency: 'XTR', amount: '25' },
          { level: 2, referrerTelegramUserId: '100', currency: 'XTR', amount: '6' },
        ]),
      ]);
    DeciderSpecification.for(referralRewardDecider)
      .given([...given, reversed([])])
      .when(reverse)
      .then([]);
  });

  it('gives nothing for a completion seen after its refund', () => {
    DeciderSpecification.for(referralRewardDecider)
      .given([reversed([])])
      .when(reward())
      .then([]);
  });

  it('keeps each renewal charge of a payment on its own stream, so each is rewarded once', () => {
    expect(referralRewardStreamId(paymentId)).toBe(`referral-reward-${paymentId}`);
    expect(referralRewardStreamId(paymentId, 'c1')).toBe(`referral-reward-${paymentId}-renewal-c1`);
    DeciderSpecification.for(referralRewardDecider)
      .given([])
      .when(reward({ renewalChargeId: 'c1', chain: [{ level: 1, referrerTelegramUserId: '200', basisPoints: 1000 }] }))
      .then([{ ...rewarded(1, '200', 1000, '25'), data: { ...rewarded(1, '200', 1000, '25').data, renewalChargeId: 'c1' } }]);
  });

  it('computes shares exactly on int64 amounts', () => {
    expect(shareOf('9223372036854775807', 1)).toBe(922337203685477n);
    expect(shareOf('99', 10_000)).toBe(99n);
    expect(shareOf('99', 333)).toBe(3n);
  });
});

describe('referral settings', () => {
  it('reads one percentage for every level, or one per level', () => {
    expect(referralSharesOf(undefined, undefined)).toEqual([]);
    expect(referralSharesOf('10', undefined)).toEqual([1000]);
    expect(referralSharesOf('10', '2')).toEqual([1000, 1000]);
    expect(referralSharesOf('"2.5"', '1')).toEqual([250]);
    expect(referralSharesOf('2.55', undefined)).toEqual([255]);
    expect(referralSharesOf('[10, 5, 1]', undefined)).toEqual([1000, 500, 100]);
    expect(referralSharesOf('[10, 5, 1]', '2')).toEqual([1000, 500]);
    expect(referralSharesOf('100', undefined)).toEqual([10_000]);
  });

  it('turns rewards off for zero or malformed values, and bounds the levels', () => {
    expect(referralSharesOf('0', '3')).toEqual([]);
    expect(referralSharesOf('101', undefined)).toEqual([]);
    expect(referralSharesOf('-5', undefined)).toEqual([]);
    expect(referralSharesOf('2.555', undefined)).toEqual([]);
    expect(referralSharesOf('"ten"', undefined)).toEqual([]);
    expect(referralSharesOf('[10, "x"]', undefined)).toEqual([]);
    expect(referralSharesOf('10', '0')).toEqual([]);
    expect(referralSharesOf('1', '50')).toHaveLength(10);
  });
});
