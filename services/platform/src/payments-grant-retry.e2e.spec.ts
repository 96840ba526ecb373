import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type BotUpdateJson } from '@botplatform/contracts';
import { paymentsService } from '@botplatform/payments';
import { createRpcClient, startService, type RpcTransport, type RunningService } from '@botplatform/service-kit';
import { subscriptionsService } from '@botplatform/subscriptions';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';

/**
 * Telegram charged the member but subscriptions cannot be reached to grant the plan: the update fails
 * (the gateway handles a failed `successful_payment` again later) with the payment completed; once
 * subscriptions is back, the same update grants the plan exactly once.
 */
describe('A Stars payment whose grant fails at first', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let transport: RpcTransport;
  let payments: RunningService;
  let subscriptions: RunningService | undefined;
  let rpc: RpcClient;
  const botId = randomUUID();
  const member = '800100';

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_retry');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    transport = { kind: 'in-process', broker: new InProcessBroker() };
    payments = await startService(paymentsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    rpc = createRpcClient(transport);
  });

  afterAll(async () => {
    await rpc?.close();
    await payments?.close();
    await subscriptions?.close();
    await bus?.close();
    await database?.drop();
  });

  it('is completed, then granted once when subscriptions answers again', async () => {
    // Subscriptions is up while the member orders and pays…
    subscriptions = await startService(subscriptionsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    const planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, {
      planId,
      botId,
      plan: { texts: [{ language: 'en', name: 'Month' }], periodDays: 30, prices: [{ currency: 'XTR', amount: '250' }], active: true },
    });
    const { paymentId } = await rpc.call(RPC.payments.createPayment, { botId, telegramUserId: member, planId });
    // …and away when Telegram's successful_payment arrives.
    await subscriptions.close();
    subscriptions = undefined;

    const update: BotUpdateJson = {
      context: { botId, member: { telegramUserId: member }, language: 'en', timeZone: 'UTC' },
      updateId: '1',
      chatId: member,
      message: {
        kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
        messageId: '9',
        successfulPayment: { currency: 'XTR', totalAmount: '250', invoicePayload: paymentId!, telegramPaymentChargeId: 'stxRETRY1' },
      },
    };
    const failed = await rpc.call(RPC.payments.handleBotUpdate, update).then(
      () => undefined,
      (error: unknown) => error as RpcCallError,
    );
    expect(failed?.code).toBe('PAYMENTS.DEPENDENCY_UNAVAILABLE');
    const paymentEvents = async () => (await payments.dependencies.store.readStream(`payment-${paymentId}`)).events.map((event) => event.type);
    expect(await paymentEvents()).toEqual(['PaymentCreated', 'PaymentCompleted']);

    subscriptions = await startService(subscriptionsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    const retried = await rpc.call(RPC.payments.handleBotUpdate, update);
    expect(retried.actions?.map((action) => action.reply?.text)).toEqual([expect.stringMatching(/^Thank you! Month is yours until /)]);
    const again = await rpc.call(RPC.payments.handleBotUpdate, update);
    expect(again.actions ?? []).toEqual([]);
    expect(await paymentEvents()).toEqual(['PaymentCreated', 'PaymentCompleted']);
    const granted = (await subscriptions.dependencies.store.readStream(`subscription-${botId}-${member}`)).events;
    expect(granted.map((event) => event.type)).toEqual(['SubscriptionStarted']);
    expect(granted[0]!.data).toMatchObject({ grantId: 'stars:stxRETRY1', source: 'payment', planId });
  });
});
