import { DeciderSpecification } from '@botplatform/event-store';
import { planDecider, type PlanCreated, type PlanDefinition } from './plan.decider.js';
import { PlanAlreadyExistsError, PlanArchivedError, PlanKindChangeError, PlanNotFoundError } from './plan.errors.js';

const PLAN = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const OTHER_BOT = '1c8e7b63-2d2f-4b8f-8c72-4a2a1d9e3f21';
const NOW = '2026-11-30T10:00:00.000Z';
const LATER = '2026-12-01T10:00:00.000Z';

const month: PlanDefinition = {
  texts: [{ language: 'en', name: 'Month', description: '30 days of premium' }],
  kind: { periodDays: 30 },
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  featureKeys: ['voice'],
  limits: [{ key: 'devices', value: 3 }],
  active: true,
  sortOrder: 1,
  trial: false,
};
const created: PlanCreated = { type: 'PlanCreated', data: { planId: PLAN, botId: BOT, definition: month, createdAt: NOW } };

describe('Plan', () => {
  const spec = DeciderSpecification.for(planDecider);

  it('is created with its definition and the time of the command', () => {
    spec.given([]).when({ type: 'CreatePlan', planId: PLAN, botId: BOT, definition: month, now: NOW }).then([created]);
  });

  it('refuses a second creation with PLAN_ALREADY_EXISTS', () => {
    spec
      .given([created])
      .when({ type: 'CreatePlan', planId: PLAN, botId: BOT, definition: month, now: LATER })
      .thenThrows(PlanAlreadyExistsError, (error) => expect((error as PlanAlreadyExistsError).code).toBe('SUBSCRIPTIONS.PLAN_ALREADY_EXISTS'));
  });

  it('replaces the definition on update', () => {
    const cheaper = { ...month, prices: [{ currency: 'XTR', amount: '200' }] };
    spec
      .given([created])
      .when({ type: 'UpdatePlan', planId: PLAN, botId: BOT, definition: cheaper, now: LATER })
      .then([{ type: 'PlanUpdated', data: { planId: PLAN, botId: BOT, definition: cheaper, updatedAt: LATER } }]);
  });

  it('records nothing for an update that changes nothing', () => {
    spec.given([created]).when({ type: 'UpdatePlan', planId: PLAN, botId: BOT, definition: month, now: LATER }).then([]);
  });

  it('refuses to turn a period into a credit pack', () => {
    spec
      .given([created])
      .when({ type: 'UpdatePlan', planId: PLAN, botId: BOT, definition: { ...month, kind: { credits: 10 } }, now: LATER })
      .thenThrows(PlanKindChangeError);
  });

  it("does not find another bot's plan, nor one never created", () => {
    spec.given([created]).when({ type: 'UpdatePlan', planId: PLAN, botId: OTHER_BOT, definition: month, now: LATER }).thenThrows(PlanNotFoundError);
    spec.given([created]).when({ type: 'ArchivePlan', planId: PLAN, botId: OTHER_BOT, now: LATER }).thenThrows(PlanNotFoundError);
    spec.given([]).when({ type: 'ArchivePlan', planId: PLAN, botId: BOT, now: LATER }).thenThrows(PlanNotFoundError);
  });

  it('is archived once; archiving again records nothing', () => {
    const archived = { type: 'PlanArchived' as const, data: { planId: PLAN, botId: BOT, archivedAt: LATER } };
    spec.given([created]).when({ type: 'ArchivePlan', planId: PLAN, botId: BOT, now: LATER }).then([archived]);
    spec.given([created, archived]).when({ type: 'ArchivePlan', planId: PLAN, botId: BOT, now: LATER }).then([]);
  });

  it('refuses to change an archived plan', () => {
    spec
      .given([created, { type: 'PlanArchived', data: { planId: PLAN, botId: BOT, archivedAt: LATER } }])
      .when({ type: 'UpdatePlan', planId: PLAN, botId: BOT, definition: { ...month, sortOrder: 2 }, now: LATER })
      .thenThrows(PlanArchivedError);
  });
});

describe('Plan definitions read back from the store', () => {
  it('count as the same whatever the order of their keys (jsonb reorders them)', () => {
    const reordered = Object.fromEntries(Object.entries(month).reverse()) as unknown as PlanDefinition;
    DeciderSpecification.for(planDecider)
      .given([{ type: 'PlanCreated', data: { planId: PLAN, botId: BOT, definition: reordered, createdAt: NOW } }])
      .when({ type: 'UpdatePlan', planId: PLAN, botId: BOT, definition: month, now: LATER })
      .then([]);
  });
});
