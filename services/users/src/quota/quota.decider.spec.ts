import { DeciderSpecification } from '@botplatform/event-store';
import { quotaDecider, type ConsumeQuota, type QuotaConsumed } from './quota.decider.js';
import { QuotaExceededError } from './quota.errors.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const consume: ConsumeQuota = {
  type: 'ConsumeQuota',
  botId: BOT,
  telegramUserId: 42,
  localDate: '2026-11-23',
  amount: 1,
  limit: 3,
  resetsAt: '2026-11-23T23:00:00.000Z',
  now: '2026-11-23T10:00:00.000Z',
};
const used = (amount: number, total: number, limit: number | null = 3): QuotaConsumed => ({
  type: 'QuotaConsumed',
  data: { botId: BOT, telegramUserId: 42, localDate: '2026-11-23', amount, used: total, limit, consumedAt: consume.now },
});

describe('Daily quota', () => {
  const spec = DeciderSpecification.for(quotaDecider);

  it('consumes a use and records the running total', () => {
    spec
      .given([])
      .when(consume)
      .then([used(1, 1)]);
    spec
      .given([used(1, 1)])
      .when(consume)
      .then([used(1, 2)]);
  });

  it('lets the last allowed use through', () => {
    spec
      .given([used(2, 2)])
      .when(consume)
      .then([used(1, 3)]);
  });

  it('refuses a use over the limit, with what was used, the limit and when it resets', () => {
    spec
      .given([used(3, 3)])
      .when(consume)
      .thenThrows(QuotaExceededError, (error) => {
        expect(error).toMatchObject({ code: 'USERS.QUOTA_EXCEEDED', used: 3, limit: 3, resetsAt: '2026-11-23T23:00:00.000Z' });
        expect(error.message).toContain('used 3 of 3');
        expect(error.message).toContain('2026-11-23T23:00:00.000Z');
      });
  });

  it('refuses an amount that would cross the limit, consuming none of it', () => {
    spec
      .given([used(2, 2)])
      .when({ ...consume, amount: 2 })
      .thenThrows(QuotaExceededError, (error) => expect(error).toMatchObject({ used: 2, requested: 2 }));
  });

  it('applies a lowered limit to what was already used that day', () => {
    spec
      .given([used(2, 2, 5)])
      .when({ ...consume, limit: 2 })
      .thenThrows(QuotaExceededError);
  });

  it('a zero limit refuses every use', () => {
    spec
      .given([])
      .when({ ...consume, limit: 0 })
      .thenThrows(QuotaExceededError);
  });

  it('records usage without a limit too', () => {
    spec
      .given([used(5, 5, null)])
      .when({ ...consume, limit: null, amount: 10 })
      .then([used(10, 15, null)]);
  });
});
