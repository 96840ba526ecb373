import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { paymentsService } from '../payments.service.js';

/**
 * The payments service alone, as startService runs it (its own database, in-process transport): what it
 * refuses before asking anyone, and that nothing is written when subscriptions cannot be asked. The
 * purchase with subscriptions and the gateway is services/platform's (stars-purchase, payments-features).
 */
describe('The payments service over request/reply, on its own', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let rpc: RpcClient;

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as RpcCallError,
    );
  const countEvents = async () => {
    const [row] = await service.dependencies.orm.em
      .getConnection()
      .execute<{ count: string }[]>('SELECT count(*)::text AS count FROM payments.event_store_events');
    return Number(row!.count);
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_rpc');
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

  it('refuses a malformed order with field errors', async () => {
    const error = await failure(rpc.call(RPC.payments.createPayment, { botId: 'bot', telegramUserId: '-1', planId: '' }));
    expect(error.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['botId', 'planId', 'telegramUserId']);
    const refund = await failure(rpc.call(RPC.payments.refundPayment, { botId: randomUUID(), paymentId: 'x', reason: '', refundedBy: '' }));
    expect(Object.keys(refund.fields ?? {}).sort()).toEqual(['paymentId', 'reason', 'refundedBy']);
  });

  it('writes no payment when subscriptions cannot tell the price, and says so with a typed error', async () => {
    const before = await countEvents();
    const error = await failure(rpc.call(RPC.payments.createPayment, { botId: randomUUID(), telegramUserId: '42', planId: randomUUID() }));
    expect(error.code).toBe('PAYMENTS.DEPENDENCY_UNAVAILABLE');
    expect(await countEvents()).toBe(before);
  });

  it('refuses to refund a payment it does not have', async () => {
    const error = await failure(rpc.call(RPC.payments.refundPayment, { botId: randomUUID(), paymentId: randomUUID(), reason: 'r', refundedBy: 'operator' }));
    expect(error.code).toBe('PAYMENTS.PAYMENT_NOT_FOUND');
  });

  it("declines a checkout of an order it does not know, without asking subscriptions, in the member's language", async () => {
    const answer = await rpc.call(RPC.payments.handleBotUpdate, {
      context: { botId: randomUUID(), member: { telegramUserId: '42' }, language: 'ru' },
      updateId: '1',
      chatId: '42',
      preCheckout: { preCheckoutQueryId: 'q', currency: 'XTR', totalAmount: '100', invoicePayload: randomUUID() },
    });
    expect(answer.actions).toEqual([
      { answerPreCheckout: { ok: false, errorMessage: 'Этот счёт недействителен в этом чате. Откройте /plans и купите ещё раз.' } },
    ]);
  });
});
