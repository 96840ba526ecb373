import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { paymentsService } from '../payments.service.js';

/** A bot's payment cards over request/reply: the payments service alone through startService on its own database. */
describe("A bot's payment cards over request/reply", () => {
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

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_cards');
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

  it('adds cards, lists them masked, changes one and sets the rotation', async () => {
    const botId = randomUUID();
    const { card } = await rpc.call(RPC.payments.addPaymentCard, {
      botId,
      number: '2200 1234 5678 9012',
      holder: 'Ivan Petrov',
      bank: 'T-Bank',
      currency: 'RUB',
    });
    expect(card).toMatchObject({ botId, maskedNumber: '•••• 9012', holder: 'Ivan Petrov', bank: 'T-Bank', currency: 'RUB', active: true, weight: 1 });
    await rpc.call(RPC.payments.addPaymentCard, { botId, number: '4400000011112222', holder: 'Anna', bank: 'Sber', currency: 'RUB', weight: 3 });
    const changed = await rpc.call(RPC.payments.updatePaymentCard, { botId, cardId: card!.cardId!, active: false });
    expect(changed.card?.active).toBe(false);

    const list = await rpc.call(RPC.payments.listPaymentCards, { botId });
    expect(list.rotation).toBe('CARD_ROTATION_ROUND_ROBIN');
    expect(list.cards?.map((c) => [c.maskedNumber, c.active, c.weight])).toEqual([
      ['•••• 9012', false, 1],
      ['•••• 2222', true, 3],
    ]);
    expect(JSON.stringify(list)).not.toContain('2200123456789012');

    expect(await rpc.call(RPC.payments.setCardRotation, { botId, rotation: 'CARD_ROTATION_WEIGHTED' })).toEqual({
      rotation: 'CARD_ROTATION_WEIGHTED',
      changed: true,
    });
    expect(await rpc.call(RPC.payments.setCardRotation, { botId, rotation: 'CARD_ROTATION_WEIGHTED' })).toEqual({
      rotation: 'CARD_ROTATION_WEIGHTED',
      changed: false,
    });
    // Another bot sees none of them.
    expect((await rpc.call(RPC.payments.listPaymentCards, { botId: randomUUID() })).cards ?? []).toEqual([]);
  });

  it('refuses a bad number, the same number twice and an unknown card with typed codes, writing nothing', async () => {
    const botId = randomUUID();
    expect((await failure(rpc.call(RPC.payments.addPaymentCard, { botId, number: '12ab', holder: 'H', bank: 'B', currency: 'RUB' }))).code).toBe(
      'PAYMENTS.CARD_NUMBER_INVALID',
    );
    await rpc.call(RPC.payments.addPaymentCard, { botId, number: '2200123456789012', holder: 'H', bank: 'B', currency: 'RUB' });
    expect((await failure(rpc.call(RPC.payments.addPaymentCard, { botId, number: '2200-1234-5678-9012', holder: 'H', bank: 'B', currency: 'RUB' }))).code).toBe(
      'PAYMENTS.CARD_ALREADY_ADDED',
    );
    expect((await failure(rpc.call(RPC.payments.updatePaymentCard, { botId, cardId: randomUUID(), active: true }))).code).toBe('PAYMENTS.CARD_NOT_FOUND');
    expect((await failure(rpc.call(RPC.payments.addPaymentCard, { botId, number: '', holder: '', bank: 'B', currency: 'RUBLE', weight: 0 }))).code).toBe(
      'VALIDATION.FAILED',
    );
    expect((await rpc.call(RPC.payments.listPaymentCards, { botId })).cards).toHaveLength(1);
  });
});
