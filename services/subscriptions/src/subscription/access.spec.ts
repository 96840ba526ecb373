import { accessAt } from './access.js';
import { EMPTY_SUBSCRIPTION_VIEW, type SubscriptionView } from './subscription.decider.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const period = {
  planId: 'a1111111-1111-4111-8111-111111111111',
  source: 'payment' as const,
  trial: false,
  startedAt: '2026-11-01T00:00:00.000Z',
  endsAt: '2026-12-01T00:00:00.000Z',
  entitlements: { quotaLevel: 'premium', featureKeys: ['voice'], limits: [{ key: 'devices', value: 3 }] },
  renewalCancelled: false,
  open: true,
};
const view: SubscriptionView = { ...EMPTY_SUBSCRIPTION_VIEW, botId: BOT, telegramUserId: 1, period };

describe('Access at a time', () => {
  it('is the plan until the end of a running period, with what it unlocks', () => {
    expect(accessAt(view, new Date('2026-11-30T23:59:59.000Z'))).toEqual({
      hasAccess: true,
      reason: 'ACCESS_REASON_PLAN',
      until: period.endsAt,
      planId: period.planId,
      quotaLevel: 'premium',
      featureKeys: ['voice'],
      limits: { devices: 3 },
    });
  });

  it('ends at the end of the period even before its expiry is recorded', () => {
    expect(accessAt(view, new Date(period.endsAt))).toEqual({ reason: 'ACCESS_REASON_NONE' });
  });

  it('says trial for the trial period', () => {
    expect(accessAt({ ...view, period: { ...period, trial: true, source: 'trial' } }, new Date('2026-11-02T00:00:00.000Z')).reason).toBe('ACCESS_REASON_TRIAL');
  });

  it('falls back to credits when no period runs', () => {
    const credits: SubscriptionView = {
      ...view,
      period: { ...period, open: false },
      credits: 5,
      creditsPlan: { planId: 'c3333333-3333-4333-8333-333333333333', entitlements: { quotaLevel: null, featureKeys: [], limits: [] } },
    };
    expect(accessAt(credits, new Date('2026-12-05T00:00:00.000Z'))).toEqual({
      hasAccess: true,
      reason: 'ACCESS_REASON_CREDITS',
      planId: 'c3333333-3333-4333-8333-333333333333',
      credits: 5,
    });
  });

  it('is none for a member who never had anything', () => {
    expect(accessAt(EMPTY_SUBSCRIPTION_VIEW, new Date())).toEqual({ reason: 'ACCESS_REASON_NONE' });
  });
});
