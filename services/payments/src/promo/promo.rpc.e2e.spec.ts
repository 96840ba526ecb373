import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type PromoCodeDefinitionJson } from '@botplatform/contracts';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { paymentsService } from '../payments.service.js';

/** Promo codes through startService on a throwaway database: uses exact under racing members, once per member, refusals typed. */
describe('Promo codes over request/reply', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let rpc: RpcClient;
  const botId = randomUUID();
  const topUp = (amount: string, extra: Partial<PromoCodeDefinitionJson> = {}): PromoCodeDefinitionJson => ({
    reward: { walletTopUp: { currency: 'XTR', amount } },
    active: true,
    ...extra,
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as RpcCallError,
    );
  // The race queues 100 redemptions on one code's lock: on this shared 2-core machine the last may wait longer than the default 5 s.
  const redeem = (telegramUserId: string, code: string) => rpc.call(RPC.payments.redeemPromoCode, { botId, telegramUserId, code }, { timeoutMs: 30_000 });
  const balanceOf = async (telegramUserId: string) =>
    (await rpc.call(RPC.payments.getWalletBalance, { botId, telegramUserId })).balances?.find((b) => b.currency === 'XTR')?.amount ?? '0';
  const countEvents = async () => {
    const [row] = await service.dependencies.orm.em
      .getConnection()
      .execute<{ count: string }[]>('SELECT count(*)::text AS count FROM payments.event_store_events');
    return Number(row!.count);
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_promo');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    service = await startService(paymentsService, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    rpc = createRpcClient({ kind: 'in-process', broker });
  });

  afterAll(async () => {
    await rpc?.close();
    await service?.close();
    await bus?.close();
    await database?.drop();
  });

  it('lets exactly 10 of 100 members racing for a code with 10 uses left redeem it, each top-up once', async () => {
    await rpc.call(RPC.payments.createPromoCode, { botId, code: 'race10', definition: topUp('5', { maxUses: 12 }), createdBy: 'api:admin' });
    await redeem('900', 'RACE10');
    await redeem('901', 'race10');
    const members = Array.from({ length: 100 }, (_, i) => String(1000 + i));
    const outcomes = await Promise.allSettled(members.map((member) => redeem(member, 'RACE10')));
    const winners = members.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    expect(winners).toHaveLength(10);
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [`${(outcome.reason as RpcCallError).code}`] : []));
    expect(
      new Set(
        refusals.map((code, i) =>
          code === 'PAYMENTS.PROMO_USED_UP' ? code : `${code}: ${String(outcomes.filter((o) => o.status === 'rejected')[i]!.reason)}`,
        ),
      ),
    ).toEqual(new Set(['PAYMENTS.PROMO_USED_UP']));
    for (const member of winners) expect(await balanceOf(member)).toBe('5');
    const losers = members.filter((member) => !winners.includes(member));
    expect(await Promise.all(losers.slice(0, 5).map(balanceOf))).toEqual(['0', '0', '0', '0', '0']);
    const [row] = await service.dependencies.orm.em
      .getConnection()
      .execute<{ uses: number }[]>('SELECT uses FROM payments.promo_codes WHERE bot_id = ? AND code = ?', [botId, 'RACE10']);
    expect(row!.uses).toBe(12);
  });

  it('refuses the same member twice with a typed error, even when they race themselves', async () => {
    await rpc.call(RPC.payments.createPromoCode, { botId, code: 'ONCE', definition: topUp('7'), createdBy: 'api:admin' });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => redeem('950', 'once')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect((await failure(redeem('950', 'ONCE'))).code).toBe('PAYMENTS.PROMO_ALREADY_REDEEMED');
    expect(await balanceOf('950')).toBe('7');
  });

  it('refuses an expired code, an inactive one and an unknown one, writing nothing', async () => {
    await rpc.call(RPC.payments.createPromoCode, {
      botId,
      code: 'OLD-ONE',
      definition: topUp('3', { expiresAt: '2020-01-01T00:00:00Z' }),
      createdBy: 'api:admin',
    });
    await rpc.call(RPC.payments.createPromoCode, { botId, code: 'SLEEPY', definition: topUp('3'), createdBy: 'api:admin' });
    const switched = await rpc.call(RPC.payments.setPromoCodeActive, { botId, code: 'sleepy', active: false, by: 'api:admin' });
    expect(switched.promoCode).toMatchObject({ code: 'SLEEPY', definition: { active: false } });
    const before = await countEvents();
    expect((await failure(redeem('960', 'OLD-ONE'))).code).toBe('PAYMENTS.PROMO_EXPIRED');
    expect((await failure(redeem('960', 'SLEEPY'))).code).toBe('PAYMENTS.PROMO_INACTIVE');
    expect((await failure(redeem('960', 'NOSUCHCODE'))).code).toBe('PAYMENTS.PROMO_NOT_FOUND');
    expect((await failure(rpc.call(RPC.payments.redeemPromoCode, { botId: randomUUID(), telegramUserId: '960', code: 'ONCE' }))).code).toBe(
      'PAYMENTS.PROMO_NOT_FOUND',
    );
    expect(await countEvents()).toBe(before);
    expect(await balanceOf('960')).toBe('0');
  });

  it('generates a batch of unguessable single-use codes, each redeemable by one member once', async () => {
    const batch = await rpc.call(RPC.payments.createPromoBatch, {
      botId,
      count: 20,
      definition: topUp('2', { maxUses: 50 }),
      createdBy: 'api:admin',
      prefix: 'xmas-',
    });
    expect(batch.codes).toHaveLength(20);
    expect(new Set(batch.codes).size).toBe(20);
    for (const code of batch.codes!) expect(code).toMatch(/^XMAS-[2-9A-HJKMNP-Z]{12}$/);
    const [first, second] = batch.codes!;
    await redeem('970', first!);
    expect((await failure(redeem('971', first!))).code).toBe('PAYMENTS.PROMO_USED_UP');
    await redeem('971', second!);
    expect(await balanceOf('970')).toBe('2');
    expect(await balanceOf('971')).toBe('2');
  });

  it('refuses a code that exists, and definitions without exactly one good reward', async () => {
    expect((await failure(rpc.call(RPC.payments.createPromoCode, { botId, code: 'ONCE', definition: topUp('1'), createdBy: 'x' }))).code).toBe(
      'PAYMENTS.PROMO_EXISTS',
    );
    expect((await failure(rpc.call(RPC.payments.createPromoCode, { botId, code: 'EMPTY', definition: { active: true }, createdBy: 'x' }))).code).toBe(
      'PAYMENTS.PROMO_INVALID',
    );
    expect(
      (await failure(rpc.call(RPC.payments.createPromoCode, { botId, code: 'HALF', definition: { reward: { percentOff: 0 }, active: true }, createdBy: 'x' })))
        .code,
    ).toBe('PAYMENTS.PROMO_INVALID');
  });
});
