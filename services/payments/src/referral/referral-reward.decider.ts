import type { Decider, DomainEvent } from '@botplatform/event-store';

/** Amounts are decimal strings of int64 minor units: exact, never floats. */
export type MinorUnits = string;

/** One referrer up the chain of the paying member: level 1 brought them, level 2 brought level 1… */
export interface ReferralChainLink {
  readonly level: number;
  readonly referrerTelegramUserId: string;
  /** The bot's share for this level, in hundredths of a percent (1000 = 10 %). */
  readonly basisPoints: number;
}

/** A payment of a referred member completed (or renewed): each referrer of the chain earns their share, once. */
export interface RewardReferrers {
  readonly type: 'RewardReferrers';
  readonly botId: string;
  readonly paymentId: string;
  /** For a later charge of a Stars subscription (a renewal): its charge id. Absent for the payment's first charge. */
  readonly renewalChargeId?: string;
  readonly referredTelegramUserId: string;
  readonly currency: string;
  readonly amount: MinorUnits;
  readonly chain: readonly ReferralChainLink[];
  readonly now: string;
}

/** The payment was refunded: every reward it gave is taken back, once. */
export interface ReverseReferralRewards {
  readonly type: 'ReverseReferralRewards';
  readonly botId: string;
  readonly paymentId: string;
  readonly reason: string;
  readonly now: string;
}

export type ReferralRewardCommand = RewardReferrers | ReverseReferralRewards;

export interface ReferralRewardData {
  botId: string;
  paymentId: string;
  renewalChargeId?: string;
  level: number;
  referrerTelegramUserId: string;
  referredTelegramUserId: string;
  currency: string;
  /** The payment's amount the share was taken of. */
  paymentAmount: MinorUnits;
  basisPoints: number;
  /** floor(paymentAmount × basisPoints / 10 000), never zero (a zero share records nothing). */
  amount: MinorUnits;
  rewardedAt: string;
}

export type ReferralRewarded = DomainEvent<'ReferralRewarded', ReferralRewardData>;
export type ReferralRewardsReversed = DomainEvent<
  'ReferralRewardsReversed',
  {
    botId: string;
    paymentId: string;
    /** The rewards taken back (empty when the payment had given none: it still closes the payment to rewards). */
    reversals: { level: number; referrerTelegramUserId: string; currency: string; amount: MinorUnits }[];
    reason: string;
    reversedAt: string;
  }
>;

export type ReferralRewardEvent = ReferralRewarded | ReferralRewardsReversed;

export const REFERRAL_REWARD_EVENT_TYPES = ['ReferralRewarded', 'ReferralRewardsReversed'] as const satisfies readonly ReferralRewardEvent['type'][];

export interface ReferralRewardState {
  /** The rewards given, by level. */
  readonly rewards: ReadonlyMap<number, ReferralRewardData>;
  readonly reversed: boolean;
}

/** The share of `amount` at `basisPoints`, rounded down to a whole minor unit. */
export function shareOf(amount: MinorUnits, basisPoints: number): bigint {
  return (BigInt(amount) * BigInt(basisPoints)) / 10_000n;
}

/**
 * The referral rewards of one payment: at most one per level, and one reversal of all of them after a
 * refund. A redelivered completion decides nothing for a level already rewarded; a refund seen twice takes
 * back once; a completion seen after the refund (out of order) gives nothing.
 */
export const referralRewardDecider: Decider<ReferralRewardState, ReferralRewardCommand, ReferralRewardEvent> = {
  initialState: () => ({ rewards: new Map(), reversed: false }),

  evolve: (state, event) => {
    if (event.type === 'ReferralRewardsReversed') return { ...state, reversed: true };
    const rewards = new Map(state.rewards);
    rewards.set(event.data.level, event.data);
    return { ...state, rewards };
  },

  decide: (command, state) => {
    if (state.reversed) return [];
    if (command.type === 'ReverseReferralRewards') {
      return [
        {
          type: 'ReferralRewardsReversed',
          data: {
            botId: command.botId,
            paymentId: command.paymentId,
            reversals: [...state.rewards.values()]
              .sort((a, b) => a.level - b.level)
              .map((reward) => ({
                level: reward.level,
                referrerTelegramUserId: reward.referrerTelegramUserId,
                currency: reward.currency,
                amount: reward.amount,
              })),
            reason: command.reason,
            reversedAt: command.now,
          },
        },
      ];
    }
    const events: ReferralRewarded[] = [];
    for (const link of command.chain) {
      if (state.rewards.has(link.level)) continue;
      // The paying member never earns from their own payment (a chain that loops back is cut there).
      if (link.referrerTelegramUserId === command.referredTelegramUserId) break;
      const amount = shareOf(command.amount, link.basisPoints);
      if (amount <= 0n) continue;
      events.push({
        type: 'ReferralRewarded',
        data: {
          botId: command.botId,
          paymentId: command.paymentId,
          ...(command.renewalChargeId ? { renewalChargeId: command.renewalChargeId } : {}),
          level: link.level,
          referrerTelegramUserId: link.referrerTelegramUserId,
          referredTelegramUserId: command.referredTelegramUserId,
          currency: command.currency,
          paymentAmount: command.amount,
          basisPoints: link.basisPoints,
          amount: amount.toString(),
          rewardedAt: command.now,
        },
      });
    }
    return events;
  },
};

/**
 * The stream of one charge's referral rewards: the payment's first charge (what a refund gives back), or a
 * renewal of its Stars subscription (one stream per renewal charge).
 */
export const referralRewardStreamId = (paymentId: string, renewalChargeId?: string): string =>
  renewalChargeId ? `referral-reward-${paymentId}-renewal-${renewalChargeId}` : `referral-reward-${paymentId}`;
