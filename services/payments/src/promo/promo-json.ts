import type { PromoCodeDefinitionJson, PromoCodeViewJson, PromoRewardJson } from '@botplatform/contracts';
import type { PromoDefinition, PromoReward, PromoState } from './promo.decider.js';
import { PromoInvalidError } from './promo.errors.js';

/** The contract's definition as the decider takes it; a definition without exactly one reward is PAYMENTS.PROMO_INVALID. */
export function definitionFromJson(json: PromoCodeDefinitionJson | undefined): PromoDefinition {
  const reward = rewardFromJson(json?.reward);
  return {
    reward,
    ...(json?.maxUses !== undefined ? { maxUses: json.maxUses } : {}),
    reusableByMember: json?.reusableByMember === true,
    ...(json?.expiresAt ? { expiresAt: json.expiresAt } : {}),
    active: json?.active === true,
  };
}

function rewardFromJson(json: PromoRewardJson | undefined): PromoReward {
  const given = [json?.grantPlanId, json?.walletTopUp, json?.percentOff, json?.fixedOff].filter((value) => value !== undefined);
  if (!json || given.length !== 1) throw new PromoInvalidError('a promo code gives exactly one reward');
  if (json.grantPlanId !== undefined) return { kind: 'grant_plan', planId: json.grantPlanId };
  if (json.percentOff !== undefined) return { kind: 'percent_off', percent: json.percentOff };
  const amount = (json.walletTopUp ?? json.fixedOff)!;
  return { kind: json.walletTopUp ? 'wallet_top_up' : 'fixed_off', currency: amount.currency ?? '', amount: String(amount.amount ?? '') };
}

export function rewardToJson(reward: PromoReward): PromoRewardJson {
  switch (reward.kind) {
    case 'grant_plan':
      return { grantPlanId: reward.planId };
    case 'percent_off':
      return { percentOff: reward.percent };
    case 'wallet_top_up':
      return { walletTopUp: { currency: reward.currency, amount: reward.amount } };
    case 'fixed_off':
      return { fixedOff: { currency: reward.currency, amount: reward.amount } };
  }
}

export function promoView(state: PromoState): PromoCodeViewJson {
  if (state.status === 'none') return {};
  const { definition } = state;
  return {
    botId: state.botId,
    code: state.code,
    definition: {
      reward: rewardToJson(definition.reward),
      ...(definition.maxUses !== undefined ? { maxUses: definition.maxUses } : {}),
      reusableByMember: definition.reusableByMember,
      ...(definition.expiresAt ? { expiresAt: definition.expiresAt } : {}),
      active: definition.active,
    },
    uses: state.uses,
    ...(definition.batchId ? { batchId: definition.batchId } : {}),
  };
}
