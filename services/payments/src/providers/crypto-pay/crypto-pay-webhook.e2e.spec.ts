import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { paymentsService } from '../../payments.service.js';
import { FakeCryptoPay } from './testing/fake-crypto-pay.harness.js';

/**
 * The payments service alone (startService, its own database) with the fake Crypto Pay as a local HTTP
 * server calling the service's webhook on its HTTP port: the settings sealed per bot and changed over
 * RPC, and what the webhook refuses or parks before any payment is touched. A paid invoice granting a
 * plan once is services/platform's crypto-pay-purchase.e2e.spec.ts (it needs subscriptions).
 */
describe('Crypto Pay webhooks and provider settings (payments alone)', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let rpc: RpcClient;
  const fake = new FakeCryptoPay();
  const botId = randomUUID();
  const otherBotId = randomUUID();
  const apiToken = `${Math.floor(Math.random() * 1e6)}:AAcryptoPayAppToken${randomUUID().replaceAll('-', '')}`;

  const sql = <T>(query: string, params: unknown[] = []) => service.dependencies.orm.em.fork().execute<T[]>(query, params);
  const counts = async () => {
    const [row] = await sql<{ events: string; parked: string }>(
      'SELECT (SELECT count(*) FROM payments.event_store_events)::text AS events, (SELECT count(*) FROM payments.parked_webhooks)::text AS parked',
    );
    return { events: Number(row!.events), parked: Number(row!.parked) };
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as RpcCallError,
    );
  const webhookUrl = (bot: string) => `${service.url}/webhooks/crypto-pay/${bot}`;

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_cryptopay');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    service = await startService(paymentsService, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    rpc = createRpcClient({ kind: 'in-process', broker });
    await fake.start();
    fake.createApp(apiToken, webhookUrl(botId));
  });

  afterAll(async () => {
    await fake.stop();
    await rpc?.close();
    await service?.close();
    await bus?.close();
    await database?.drop();
  });

  it('refuses to enable a provider without the keys it needs, writing nothing', async () => {
    const error = await failure(
      rpc.call(RPC.payments.setProviderSettings, { botId, provider: 'crypto-pay', enabled: true, secrets: {}, updatedBy: 'operator' }),
    );
    expect(error.code).toBe('PAYMENTS.PROVIDER_SECRETS_MISSING');
    const invalid = await failure(rpc.call(RPC.payments.setProviderSettings, { botId, provider: 'paypal', enabled: true, updatedBy: 'operator' }));
    expect(invalid.code).toBe('VALIDATION.FAILED');
    expect(await sql('SELECT * FROM payments.provider_settings')).toEqual([]);
  });

  it('stores the keys sealed (the row holds neither the token nor its encodings), answers only their names, and lists them per bot', async () => {
    const reply = await rpc.call(RPC.payments.setProviderSettings, {
      botId,
      provider: 'crypto-pay',
      enabled: true,
      secrets: { apiToken, apiUrl: fake.url },
      updatedBy: 'operator',
    });
    expect(reply.settings).toEqual(
      expect.objectContaining({ provider: 'crypto-pay', enabled: true, secretNames: ['apiToken', 'apiUrl'], updatedBy: 'operator' }),
    );
    expect(JSON.stringify(reply)).not.toContain(apiToken);
    const rows = await sql<Record<string, unknown>>('SELECT * FROM payments.provider_settings');
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    for (const form of [apiToken, Buffer.from(apiToken).toString('base64'), Buffer.from(apiToken).toString('hex'), apiToken.split(':')[1]!]) {
      expect(stored).not.toContain(form);
    }
    const listed = await rpc.call(RPC.payments.listProviderSettings, { botId });
    expect(listed.providers?.map((p) => [p.provider, p.enabled, p.secretNames])).toEqual([['crypto-pay', true, ['apiToken', 'apiUrl']]]);
    expect(JSON.stringify(listed)).not.toContain(apiToken);
    expect((await rpc.call(RPC.payments.listProviderSettings, { botId: otherBotId })).providers ?? []).toEqual([]);
  });

  it("does not open one bot's sealed keys as another bot's, even when the row is copied", async () => {
    await sql(
      `INSERT INTO payments.provider_settings (bot_id, provider, enabled, secret_names, key_id, iv, ciphertext, tag, updated_at, updated_by)
       SELECT ?, provider, enabled, secret_names, key_id, iv, ciphertext, tag, updated_at, updated_by FROM payments.provider_settings WHERE bot_id = ?`,
      [otherBotId, botId],
    );
    // Keeping the keys means opening them: refused, under the other bot's name.
    const error = await failure(
      rpc.call(RPC.payments.setProviderSettings, { botId: otherBotId, provider: 'crypto-pay', enabled: true, updatedBy: 'operator' }),
    );
    expect(error.code).toBe('PAYMENTS.PROVIDER_SETTINGS_UNREADABLE');
    await sql('DELETE FROM payments.provider_settings WHERE bot_id = ?', [otherBotId]);
  });

  it('answers a forged signature with 401 and writes nothing', async () => {
    const before = await counts();
    const body = fake.foreignUpdate({ payload: randomUUID() });
    expect(await fake.deliver(apiToken, body, { signWith: 'a-forger-s-own-token' })).toBe(401);
    expect(await fake.deliver(apiToken, body, { signature: '' })).toBe(401);
    expect(await fake.deliver(apiToken, Buffer.from('not json at all'), { signWith: 'forger' })).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('refuses a correctly signed update sent outside the replay window (401, nothing written)', async () => {
    const before = await counts();
    const old = fake.foreignUpdate({ payload: randomUUID() }, new Date(Date.now() - 10 * 60_000));
    expect(await fake.deliver(apiToken, old)).toBe(401);
    const future = fake.foreignUpdate({ payload: randomUUID() }, new Date(Date.now() + 10 * 60_000));
    expect(await fake.deliver(apiToken, future)).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('parks a paid invoice of no payment of the bot (200, kept once, its deliveries counted) for an operator to see', async () => {
    const before = await counts();
    const stranger = randomUUID();
    const body = fake.foreignUpdate({ payload: stranger });
    const statuses = await Promise.all([1, 2, 3].map(() => fake.deliver(apiToken, body)));
    expect(statuses).toEqual([200, 200, 200]);
    expect(await counts()).toEqual({ events: before.events, parked: before.parked + 1 });
    const parked = await rpc.call(RPC.payments.listParkedWebhooks, { botId });
    expect(parked.webhooks).toEqual([
      expect.objectContaining({ provider: 'crypto-pay', paymentId: stranger, reason: 'unknown-payment', deliveries: 3, body: body.toString('utf8') }),
    ]);
    expect((await rpc.call(RPC.payments.listParkedWebhooks, { botId: otherBotId })).webhooks ?? []).toEqual([]);
  });

  it('answers 404 for a bot without the provider enabled, and stops taking webhooks once it is disabled (live)', async () => {
    const body = fake.foreignUpdate({ payload: randomUUID() });
    const status = await fetch(webhookUrl(otherBotId), { method: 'POST', body, headers: { 'crypto-pay-api-signature': 'x' } });
    expect(status.status).toBe(404);
    await rpc.call(RPC.payments.setProviderSettings, { botId, provider: 'crypto-pay', enabled: false, updatedBy: 'operator' });
    expect(await fake.deliver(apiToken, body)).toBe(404);
    const listed = await rpc.call(RPC.payments.listProviderSettings, { botId });
    // Disabling kept the keys.
    expect(listed.providers?.map((p) => [p.enabled, p.secretNames])).toEqual([[false, ['apiToken', 'apiUrl']]]);
    await rpc.call(RPC.payments.setProviderSettings, { botId, provider: 'crypto-pay', enabled: true, updatedBy: 'operator' });
    expect(await fake.deliver(apiToken, fake.foreignUpdate({ payload: randomUUID() }))).toBe(200);
  });
});
