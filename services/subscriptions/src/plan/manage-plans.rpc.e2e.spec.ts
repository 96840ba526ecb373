import { RpcCallError } from '@botplatform/bus';
import { RPC, type CreatePlanRequestJson, type PlanDefinitionJson } from '@botplatform/contracts';
import { randomUUID } from 'node:crypto';
import { startSubscriptionsTestService, type SubscriptionsTestService } from '../testing/subscriptions-test-service.js';
import { Plan } from './plan.entity.js';

const BOT = '3c2b1a00-5e4d-4f6a-8b7c-9d0e1f2a3b4c';
const OTHER_BOT = '4d3c2b11-6f5e-4a7b-9c8d-0e1f2a3b4c5d';

const month: PlanDefinitionJson = {
  texts: [
    { language: 'en', name: 'Month', description: '30 days of premium' },
    { language: 'ru', name: 'Месяц', description: '30 дней премиума' },
  ],
  periodDays: 30,
  prices: [
    { currency: 'XTR', amount: '250' },
    { currency: 'USD', amount: '499' },
  ],
  quotaLevel: 'premium',
  featureKeys: ['voice', 'export.pdf'],
  limits: [{ key: 'devices', value: 3 }],
  active: true,
  sortOrder: 2,
};

/** Plans over request/reply: the subscriptions service through startService, on a throwaway database. */
describe('Plans over request/reply', () => {
  let t: SubscriptionsTestService;

  const create = (plan: PlanDefinitionJson, overrides: Partial<CreatePlanRequestJson> = {}) =>
    t.call(RPC.subscriptions.createPlan, { planId: randomUUID(), botId: BOT, plan, ...overrides });
  const planRows = () => t.service.dependencies.orm.em.fork().count(Plan, {});

  beforeAll(async () => {
    t = await startSubscriptionsTestService('bp_subscriptions_plans', new Date('2026-11-30T10:00:00.000Z'));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('creates a plan: one stored event, the read-model row, the plan in the reply', async () => {
    const planId = randomUUID();
    const reply = await create(month, { planId });
    expect(reply).toEqual({
      plan: { planId, botId: BOT, definition: month, createdAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:00:00.000Z' },
      changed: true,
    });
    const events = await t.streamEvents(`plan-${planId}`);
    expect(events.map((e) => e.type)).toEqual(['PlanCreated']);
    expect(events[0].data).toMatchObject({ definition: { kind: { periodDays: 30 }, prices: month.prices } });
    const row = await t.service.dependencies.orm.em.fork().findOneOrFail(Plan, { planId });
    expect(row).toMatchObject({ botId: BOT, active: true, trial: false, sortOrder: 2, archived: false });
  });

  it('refuses a plan id used before and keeps the first plan', async () => {
    const planId = randomUUID();
    await create(month, { planId });
    expect((await t.failure(create({ ...month, sortOrder: 9 }, { planId }))).code).toBe('SUBSCRIPTIONS.PLAN_ALREADY_EXISTS');
    expect((await t.service.dependencies.orm.em.fork().findOneOrFail(Plan, { planId })).sortOrder).toBe(2);
  });

  it.each<[string, PlanDefinitionJson, string[]]>([
    ['a price of zero', { ...month, prices: [{ currency: 'XTR', amount: '0' }] }, ['plan.prices.0.amount']],
    ['a negative price', { ...month, prices: [{ currency: 'XTR', amount: '-100' }] }, ['plan.prices.0.amount']],
    ['a float-like price', { ...month, prices: [{ currency: 'USD', amount: '4.99' }] }, ['plan.prices.0.amount']],
    ['a price as a JSON float', { ...month, prices: [{ currency: 'USD', amount: 4.99 as unknown as string }] }, ['plan.prices.0.amount']],
    ['an exponent', { ...month, prices: [{ currency: 'USD', amount: '1e3' }] }, ['plan.prices.0.amount']],
    ['an unknown currency', { ...month, prices: [{ currency: 'ABC', amount: '100' }] }, ['plan.prices.0.currency']],
    ['a lower-case currency', { ...month, prices: [{ currency: 'usd', amount: '100' }] }, ['plan.prices.0.currency']],
    [
      'one currency twice',
      {
        ...month,
        prices: [
          { currency: 'XTR', amount: '100' },
          { currency: 'XTR', amount: '200' },
        ],
      },
      ['plan.prices'],
    ],
    ['a period of 0 days', { ...month, periodDays: 0 }, ['plan.periodDays']],
    ['a negative period', { ...month, periodDays: -30 }, ['plan.periodDays']],
    ['a fractional period', { ...month, periodDays: 1.5 }, ['plan.periodDays']],
    ['neither a period nor credits', { ...month, periodDays: undefined }, ['plan.periodDays']],
    ['both a period and credits', { ...month, credits: 10 }, ['plan.periodDays']],
    ['a pack of 0 credits', { ...month, periodDays: undefined, credits: 0 }, ['plan.credits']],
    ['no text', { ...month, texts: [] }, ['plan.texts']],
    ['a bad quota level', { ...month, quotaLevel: 'Premium Plus' }, ['plan.quotaLevel']],
    ['a negative limit', { ...month, limits: [{ key: 'devices', value: -1 }] }, ['plan.limits.0.value']],
  ])('refuses %s with field errors and writes nothing', async (_case, plan, fields) => {
    const [eventsBefore, rowsBefore] = [await t.countEvents(), await planRows()];
    const error = (await create(plan).catch((e: unknown) => e)) as RpcCallError;
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(fields);
    expect(await t.countEvents()).toBe(eventsBefore);
    expect(await planRows()).toBe(rowsBefore);
  });

  it('refuses a request without a plan, and a field the contract does not have', async () => {
    const missing = await t.failure(t.call(RPC.subscriptions.createPlan, { planId: randomUUID(), botId: BOT }));
    expect(Object.keys(missing.fields ?? {})).toEqual(['plan']);
    const unknown = await t.failure(create({ ...month, colour: 'red' } as PlanDefinitionJson));
    expect(Object.keys(unknown.fields ?? {})).toEqual(['plan.colour']);
  });

  it('updates a plan (its reply and row follow), and records nothing for the same definition again', async () => {
    const planId = randomUUID();
    await create(month, { planId });
    t.clock.advance(60_000);
    const cheaper = { ...month, prices: [{ currency: 'XTR', amount: '200' }], active: undefined };
    const reply = await t.call(RPC.subscriptions.updatePlan, { planId, botId: BOT, plan: cheaper });
    expect(reply.changed).toBe(true);
    expect(reply.plan?.definition).toEqual({ ...cheaper, active: undefined });
    expect(reply.plan?.updatedAt).toBe('2026-11-30T10:01:00.000Z');
    expect((await t.call(RPC.subscriptions.updatePlan, { planId, botId: BOT, plan: cheaper })).changed).toBe(false);
    expect((await t.streamEvents(`plan-${planId}`)).map((e) => e.type)).toEqual(['PlanCreated', 'PlanUpdated']);
    expect(await t.service.dependencies.orm.em.fork().findOneOrFail(Plan, { planId })).toMatchObject({ active: false });
  });

  it('refuses to turn a period into a credit pack', async () => {
    const planId = randomUUID();
    await create(month, { planId });
    const error = await t.failure(t.call(RPC.subscriptions.updatePlan, { planId, botId: BOT, plan: { ...month, periodDays: undefined, credits: 10 } }));
    expect(error.code).toBe('SUBSCRIPTIONS.PLAN_KIND_CHANGE');
  });

  it("does not let a bot change, archive or list another bot's plan", async () => {
    const planId = randomUUID();
    await create(month, { planId, botId: OTHER_BOT });
    expect((await t.failure(t.call(RPC.subscriptions.updatePlan, { planId, botId: BOT, plan: month }))).code).toBe('SUBSCRIPTIONS.PLAN_NOT_FOUND');
    expect((await t.failure(t.call(RPC.subscriptions.archivePlan, { planId, botId: BOT }))).code).toBe('SUBSCRIPTIONS.PLAN_NOT_FOUND');
    const listed = await t.call(RPC.subscriptions.listPlans, { botId: BOT, includeArchived: true });
    expect(listed.plans?.some((p) => p.planId === planId)).toBe(false);
  });

  it('archives a plan: listed only on request, no longer changed', async () => {
    const bot = randomUUID();
    const [first, second, hidden] = [randomUUID(), randomUUID(), randomUUID()];
    await create({ ...month, sortOrder: 2 }, { planId: second, botId: bot });
    await create({ ...month, sortOrder: 1 }, { planId: first, botId: bot });
    await create({ ...month, sortOrder: 0, active: undefined }, { planId: hidden, botId: bot });
    const archived = await t.call(RPC.subscriptions.archivePlan, { planId: second, botId: bot });
    expect(archived).toMatchObject({ plan: { planId: second, archived: true }, changed: true });
    expect((await t.call(RPC.subscriptions.archivePlan, { planId: second, botId: bot })).changed).toBe(false);
    expect((await t.failure(t.call(RPC.subscriptions.updatePlan, { planId: second, botId: bot, plan: month }))).code).toBe('SUBSCRIPTIONS.PLAN_ARCHIVED');

    const ids = async (request: { activeOnly?: boolean; includeArchived?: boolean }) =>
      ((await t.call(RPC.subscriptions.listPlans, { botId: bot, ...request })).plans ?? []).map((p) => p.planId);
    expect(await ids({})).toEqual([hidden, first]);
    expect(await ids({ includeArchived: true })).toEqual([hidden, first, second]);
    expect(await ids({ activeOnly: true })).toEqual([first]);
  });
});
