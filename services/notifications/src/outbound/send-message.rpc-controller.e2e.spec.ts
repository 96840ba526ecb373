import { EmbeddedEventBus, InProcessBroker, RpcCallError, busMigrations, type RpcClient } from '@botplatform/bus';
import { RPC, MessageSendRequestedSchema, isEventOf, type DecodedEvent, type SendMessageRequestJson } from '@botplatform/contracts';
import { createServiceOrm } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService, type RpcTransport } from '@botplatform/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { notificationsService } from '../notifications.service.js';

const BOT = '3c2b1a00-5e4d-4f6a-8b7c-9d0e1f2a3b4c';

describe(RPC.notifications.sendMessage.subject, () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let observerOrm: MikroORM;
  let rpc: RpcClient;
  const published: DecodedEvent<typeof MessageSendRequestedSchema>[] = [];

  const send = (request: SendMessageRequestJson) => rpc.call(RPC.notifications.sendMessage, request);
  const request = (overrides: Partial<SendMessageRequestJson> = {}): SendMessageRequestJson => ({
    requestId: randomUUID(),
    botId: BOT,
    chatId: '424242',
    text: 'Your plan ends tomorrow',
    purpose: 'subscriptions:expiry-reminder',
    ...overrides,
  });
  // Read by stream and counted in the table: the store's readAll stops below the oldest transaction open
  // anywhere on the server, which another test file may hold at any moment (ADR 0002).
  const streamEvents = (streamId: string) => service.dependencies.store.readStream(streamId).then((r) => r.events);
  const storedEventCount = async () =>
    (
      await service.dependencies.orm.em.fork().getConnection().execute<{ n: number }[]>('SELECT count(*)::integer AS n FROM notifications.event_store_events')
    )[0].n;

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_send');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    service = await startService(notificationsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    rpc = createRpcClient(transport);
    observerOrm = await createServiceOrm({ clientUrl: database.url, schema: 'observer', migrations: busMigrations });
    await bus.consume(
      {
        name: 'observer--send-requests',
        source: 'notifications',
        subjects: ['notifications.message.send_requested.v1'],
        handle: async (event) => {
          if (isEventOf(event, MessageSendRequestedSchema)) published.push(event);
        },
      },
      observerOrm,
    );
  });

  afterAll(async () => {
    await rpc?.close();
    await bus?.close();
    await service?.close();
    await observerOrm?.close(true);
    await database?.drop();
  });

  it('accepts a new request and publishes it, buttons and all, for the gateway', async () => {
    const sent = request({
      text: '<b>Renew?</b>',
      parseMode: 'HTML',
      disableNotification: true,
      buttons: [
        {
          buttons: [
            { text: 'Renew', callbackData: 'renew:monthly' },
            { text: 'Plans', url: 'https://example.org/plans' },
          ],
        },
      ],
    });
    await expect(send(sent)).resolves.toEqual({ requestId: sent.requestId, accepted: true, muted: false, superseded: false });

    const event = await waitFor('the public event', () => published.find((e) => e.message.requestId === sent.requestId));
    expect(event.envelope).toMatchObject({ botId: BOT, streamId: `outbound-${sent.requestId}`, correlationId: sent.requestId });
    expect(event.envelope.actor.id).toBe('subscriptions');
    const { message } = event;
    expect(message).toMatchObject({
      botId: BOT,
      chatId: 424242n,
      text: '<b>Renew?</b>',
      parseMode: 'HTML',
      disableNotification: true,
      purpose: 'subscriptions:expiry-reminder',
    });
    expect(message.requestedAt).toBeDefined();
    expect(message.buttons.map((row) => row.buttons.map((b) => [b.text, b.action.case, b.action.value]))).toEqual([
      [
        ['Renew', 'callbackData', 'renew:monthly'],
        ['Plans', 'url', 'https://example.org/plans'],
      ],
    ]);
  });

  it('accepts a negative group chat id and plain text without buttons', async () => {
    const sent = request({ chatId: '-1001234567890' });
    await expect(send(sent)).resolves.toMatchObject({ accepted: true });
    const event = await waitFor('the group message', () => published.find((e) => e.message.requestId === sent.requestId));
    expect(event.message).toMatchObject({ chatId: -1001234567890n, buttons: [], disableNotification: false });
    expect(event.message.parseMode).toBeUndefined();
  });

  it('answers a repeated request id with accepted=false and records one request', async () => {
    const sent = request();
    expect((await send(sent)).accepted).toBe(true);
    expect((await send({ ...sent, text: 'changed my mind' })).accepted).toBe(false);
    const events = await streamEvents(`outbound-${sent.requestId}`);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ text: 'Your plan ends tomorrow' });
  });

  it('accepts exactly one of several concurrent requests with the same id', async () => {
    const sent = request();
    const replies = await Promise.all(Array.from({ length: 6 }, () => send(sent)));
    expect(replies.filter((r) => r.accepted)).toHaveLength(1);
    expect(await service.dependencies.store.streamVersion(`outbound-${sent.requestId}`)).toBe(1);
  });

  describe('with invalid input', () => {
    const invalid: [string, Partial<SendMessageRequestJson> | Record<string, unknown>, string[]][] = [
      ['ids that are not UUIDs', { requestId: 'r-1', botId: 'bot' }, ['botId', 'requestId']],
      ['a zero chat id', { chatId: '0' }, ['chatId']],
      ['a chat id that is not a number', { chatId: '12a' }, ['chatId']],
      ['empty text', { text: '' }, ['text']],
      ['text over 4096 characters', { text: 'x'.repeat(4097) }, ['text']],
      ['an unknown parse mode', { parseMode: 'Markdown' }, ['parseMode']],
      ['an empty purpose', { purpose: '' }, ['purpose']],
      ['a purpose over 64 characters', { purpose: 'p'.repeat(65) }, ['purpose']],
      [
        'callback data over 64 bytes (33 two-byte characters)',
        { buttons: [{ buttons: [{ text: 'A', callbackData: 'é'.repeat(33) }] }] },
        ['buttons.0.buttons.0.callbackData'],
      ],
      [
        'a button with both a callback and a url',
        { buttons: [{ buttons: [{ text: 'A', callbackData: 'a', url: 'https://example.org' }] }] },
        ['buttons.0.buttons.0.url'],
      ],
      ['a button with neither', { buttons: [{ buttons: [{ text: 'A' }] }] }, ['buttons.0.buttons.0.callbackData', 'buttons.0.buttons.0.url']],
      ['a url that is not http(s)', { buttons: [{ buttons: [{ text: 'A', url: 'ftp://example.org/file' }] }] }, ['buttons.0.buttons.0.url']],
      ['an empty button row', { buttons: [{ buttons: [] }] }, ['buttons.0.buttons']],
      [
        '101 buttons',
        {
          buttons: Array.from({ length: 11 }, (_, r) => ({
            buttons: Array.from({ length: r === 10 ? 1 : 10 }, (__, i) => ({ text: `${r}.${i}`, callbackData: `${r}.${i}` })),
          })),
        },
        ['buttons'],
      ],
      ['a field the contract does not have', { priority: 'high' }, ['priority']],
    ];

    it.each(invalid)('refuses %s with field errors and writes nothing', async (_case, overrides, fields) => {
      const before = await storedEventCount();
      const error = (await send(request(overrides as Partial<SendMessageRequestJson>)).catch((e: unknown) => e)) as RpcCallError;
      expect(error).toBeInstanceOf(RpcCallError);
      expect(error.code).toBe('VALIDATION.FAILED');
      expect(Object.keys(error.fields ?? {}).sort()).toEqual(fields);
      expect(await storedEventCount()).toBe(before);
    });

    it('accepts exactly 100 buttons and 64-byte callback data', async () => {
      const buttons = Array.from({ length: 10 }, (_, r) => ({
        buttons: Array.from({ length: 10 }, (__, i) => ({ text: `${r}.${i}`, callbackData: 'é'.repeat(32) })),
      }));
      await expect(send(request({ buttons }))).resolves.toMatchObject({ accepted: true });
    });

    it('refuses a chat id beyond what Telegram uses with a typed error', async () => {
      await expect(send(request({ chatId: '9007199254740993' }))).rejects.toMatchObject({ code: 'NOTIFICATIONS.INVALID_CHAT_ID' });
    });
  });
});
