import type { AccessReplyJson, SubscriptionSourceJson, SubscriptionViewJson } from '@botplatform/contracts';
import { type Entitlements, isRunning, type SubscriptionSource, type SubscriptionView } from './subscription.decider.js';

const entitlementsJson = (planId: string, entitlements: Entitlements) => ({
  planId,
  ...(entitlements.quotaLevel !== null ? { quotaLevel: entitlements.quotaLevel } : {}),
  ...(entitlements.featureKeys.length ? { featureKeys: [...entitlements.featureKeys] } : {}),
  ...(entitlements.limits.length ? { limits: Object.fromEntries(entitlements.limits.map((l) => [l.key, l.value])) } : {}),
});

/**
 * What a member may do at `now`: a running period (its plan, or the trial) first, else credits. Computed at
 * the time of asking, so a period past its end gives no access even before its expiry is recorded.
 */
export function accessAt(view: SubscriptionView, now: Date): AccessReplyJson {
  const credits = view.credits > 0 ? { credits: view.credits } : {};
  if (isRunning(view.period, now.toISOString())) {
    const { period } = view;
    return {
      hasAccess: true,
      reason: period.trial ? 'ACCESS_REASON_TRIAL' : 'ACCESS_REASON_PLAN',
      until: period.endsAt,
      ...entitlementsJson(period.planId, period.entitlements),
      ...credits,
    };
  }
  if (view.credits > 0 && view.creditsPlan) {
    return { hasAccess: true, reason: 'ACCESS_REASON_CREDITS', ...entitlementsJson(view.creditsPlan.planId, view.creditsPlan.entitlements), ...credits };
  }
  return { reason: 'ACCESS_REASON_NONE' };
}

const SOURCE_JSON: Record<SubscriptionSource, SubscriptionSourceJson> = {
  payment: 'SUBSCRIPTION_SOURCE_PAYMENT',
  promo: 'SUBSCRIPTION_SOURCE_PROMO',
  trial: 'SUBSCRIPTION_SOURCE_TRIAL',
  admin: 'SUBSCRIPTION_SOURCE_ADMIN',
};

export const sourceJson = (source: SubscriptionSource): SubscriptionSourceJson => SOURCE_JSON[source];

/** The contract's form of a member's subscription (proto3 JSON: defaults left out). */
export function subscriptionViewJson(botId: string, telegramUserId: number, view: SubscriptionView): SubscriptionViewJson {
  const { period } = view;
  return {
    botId,
    telegramUserId: String(telegramUserId),
    ...(period
      ? {
          planId: period.planId,
          source: sourceJson(period.source),
          startedAt: period.startedAt,
          endsAt: period.endsAt,
          ...(period.renewalCancelled ? { renewalCancelled: true } : {}),
        }
      : view.creditsPlan
        ? { planId: view.creditsPlan.planId }
        : {}),
    ...(view.credits ? { credits: view.credits } : {}),
    ...(view.trialTaken ? { trialTaken: true } : {}),
    ...(view.revokedAt ? { revokedAt: view.revokedAt } : {}),
  };
}
