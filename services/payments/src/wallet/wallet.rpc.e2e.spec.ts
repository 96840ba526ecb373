import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { paymentsService } from '../payments.service.js';

/** The wallet's RPCs through startService, on a throwaway database: balances exact under racing spends, each request once. */
describe('The wallet over request/reply', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let rpc: RpcClient;
  const botId = randomUUID();

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as RpcCallError,
    );
  const topUp = (telegramUserId: string, amount: string, currency = 'XTR', requestId = randomUUID()) =>
    rpc.call(RPC.payments.topUpWallet, { botId, telegramUserId, currency, amount, requestId, toppedUpBy: 'api:admin' });
  const spend = (telegramUserId: string, amount: string, requestId = randomUUID(), currency = 'XTR') =>
    // 50 spends queue on one wallet's lock: the last may wait longer than the default 5 s on a busy machine.
    rpc.call(RPC.payments.spendFromWallet, { botId, telegramUserId, currency, amount, requestId, reference: 'order-1' }, { timeoutMs: 30_000 });
  const walletEvents = async (telegramUserId: string, currency = 'XTR') =>
    (await service.dependencies.store.readStream(`wallet-${botId}-${telegramUserId}-${currency}`)).events.map((event) => event.type);

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_wallet');
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

  it('lets exactly 20 of 50 concurrent spends through a balance that covers 20, and never goes below zero', async () => {
    await topUp('500', '20');
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => spend('500', '1')));
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as RpcCallError).code] : []));
    expect(succeeded).toHaveLength(20);
    expect(refused).toEqual(Array.from({ length: 30 }, () => 'PAYMENTS.INSUFFICIENT_BALANCE'));
    const balance = await rpc.call(RPC.payments.getWalletBalance, { botId, telegramUserId: '500', lastEntries: 50 });
    expect(balance.balances).toEqual([{ currency: 'XTR', amount: '0' }]);
    expect(balance.entries).toHaveLength(21);
    // Each spend saw the balance the one before left: 19, 18… 0, every one once.
    expect(
      balance
        .entries!.filter((entry) => entry.kind === 'WALLET_ENTRY_KIND_SPEND')
        .map((entry) => Number(entry.balanceAfter))
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('spends once per request id: the same request five times at once takes the money once', async () => {
    await topUp('501', '100');
    const requestId = randomUUID();
    const replies = await Promise.all(Array.from({ length: 5 }, () => spend('501', '30', requestId)));
    expect(replies.filter((reply) => reply.changed)).toHaveLength(1);
    expect(replies.map((reply) => reply.balance)).toEqual(Array.from({ length: 5 }, () => '70'));
    expect(await walletEvents('501')).toEqual(['WalletToppedUp', 'WalletSpent']);
    const reused = await failure(spend('501', '31', requestId));
    expect(reused.code).toBe('PAYMENTS.REQUEST_ID_REUSED');
  });

  it('adjusts with a reason and who, keeps currencies apart, and refuses an adjustment below zero', async () => {
    await topUp('502', '1250', 'USD');
    await topUp('502', '40', 'XTR');
    const adjusted = await rpc.call(RPC.payments.adjustWallet, {
      botId,
      telegramUserId: '502',
      currency: 'USD',
      amount: '-250',
      requestId: randomUUID(),
      reason: 'double top-up',
      adjustedBy: 'telegram:7',
    });
    expect(adjusted).toMatchObject({
      balance: '1000',
      changed: true,
      entry: { kind: 'WALLET_ENTRY_KIND_ADJUSTMENT', amount: '-250', reason: 'double top-up', by: 'telegram:7' },
    });
    const below = await failure(
      rpc.call(RPC.payments.adjustWallet, {
        botId,
        telegramUserId: '502',
        currency: 'USD',
        amount: '-1001',
        requestId: randomUUID(),
        reason: 'x',
        adjustedBy: 'telegram:7',
      }),
    );
    expect(below.code).toBe('PAYMENTS.INSUFFICIENT_BALANCE');
    const balance = await rpc.call(RPC.payments.getWalletBalance, { botId, telegramUserId: '502' });
    expect(balance.balances).toEqual([
      { currency: 'USD', amount: '1000' },
      { currency: 'XTR', amount: '40' },
    ]);
    expect(balance.entries?.map((entry) => [entry.kind, entry.currency, entry.amount])).toEqual([
      ['WALLET_ENTRY_KIND_ADJUSTMENT', 'USD', '-250'],
      ['WALLET_ENTRY_KIND_TOP_UP', 'XTR', '40'],
      ['WALLET_ENTRY_KIND_TOP_UP', 'USD', '1250'],
    ]);
  });

  it('refuses malformed requests with field errors and writes nothing', async () => {
    const error = await failure(rpc.call(RPC.payments.spendFromWallet, { botId: 'x', telegramUserId: '0', currency: 'stars', amount: '-5', requestId: '' }));
    expect(error.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['amount', 'botId', 'currency', 'requestId', 'telegramUserId']);
    const adjust = await failure(
      rpc.call(RPC.payments.adjustWallet, { botId, telegramUserId: '503', currency: 'XTR', amount: '0', requestId: 'r', reason: '', adjustedBy: 'a' }),
    );
    expect(Object.keys(adjust.fields ?? {}).sort()).toEqual(['amount', 'reason']);
    expect(await walletEvents('503')).toEqual([]);
  });
});
