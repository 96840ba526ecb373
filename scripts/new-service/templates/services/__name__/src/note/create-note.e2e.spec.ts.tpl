import { EmbeddedEventBus, InProcessBroker, RpcCallError, busMigrations, type RpcClient } from '@botplatform/bus';
import { NoteCreatedSchema, RPC, isEventOf, type CreateNoteRequestJson, type DecodedEvent } from '@botplatform/contracts';
import { createServiceOrm } from '@botplatform/event-store';
import { createRpcClient, startService, type RpcTransport, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { __name__Service } from '../__name__.service.js';
import { Note } from './note.entity.js';

const BOT = '3c2b1a00-5e4d-4f6a-8b7c-9d0e1f2a3b4c';

/** The __name__ service started as the platform starts it, on a throwaway database and the in-process transports. */
describe('rpc.__name__.create-note', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let observerOrm: MikroORM;
  let rpc: RpcClient;
  const published: DecodedEvent<typeof NoteCreatedSchema>[] = [];

  const createNote = (request: CreateNoteRequestJson) => rpc.call(RPC.__name__.createNote, request);
  const request = (overrides: Partial<CreateNoteRequestJson> = {}): CreateNoteRequestJson => ({ noteId: randomUUID(), botId: BOT, text: 'Buy milk', ...overrides });
  // Read by stream and counted in the table: the store's readAll stops below the oldest transaction open
  // anywhere on the server, which another test file may hold at any moment (ADR 0002).
  const streamEvents = (streamId: string) => service.dependencies.store.readStream(streamId).then((r) => r.events);
  const storedEventCount = async () =>
    (await service.dependencies.orm.em.fork().getConnection().execute<{ n: number }[]>('SELECT count(*)::integer AS n FROM __name__.event_store_events'))[0].n;

  beforeAll(async () => {
    database = await createTestDatabase('bp___name___notes');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    service = await startService(__name__Service, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    rpc = createRpcClient(transport);
    // Another service's view: a consumer of the public event, in a schema of its own.
    observerOrm = await createServiceOrm({ clientUrl: database.url, schema: 'observer', migrations: busMigrations });
    await bus.consume(
      {
        name: 'observer--notes',
        source: '__name__',
        subjects: ['__name__.note.created.v1'],
        handle: async (event) => {
          if (isEventOf(event, NoteCreatedSchema)) published.push(event);
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

  it('creates the note: one stored event, its read-model row and its public event', async () => {
    const sent = request();
    const reply = await createNote(sent);
    expect(reply.noteId).toBe(sent.noteId);

    const events = await streamEvents(`note-${sent.noteId}`);
    expect(events.map((e) => [e.type, e.data])).toEqual([['NoteCreated', { noteId: sent.noteId, botId: BOT, text: 'Buy milk', createdAt: reply.createdAt }]]);

    const row = await service.dependencies.orm.em.fork().findOneOrFail(Note, { noteId: sent.noteId });
    expect(row).toMatchObject({ botId: BOT, text: 'Buy milk' });
    expect(row.createdAt.toISOString()).toBe(reply.createdAt);

    const event = await waitFor('the public event', () => published.find((e) => e.message.noteId === sent.noteId));
    expect(event.envelope).toMatchObject({ botId: BOT, streamId: `note-${sent.noteId}` });
    expect(event.message).toMatchObject({ botId: BOT, text: 'Buy milk' });
  });

  it('refuses a note id used before with __NAME__.NOTE_ALREADY_EXISTS and keeps the first note', async () => {
    const sent = request();
    await createNote(sent);
    await expect(createNote({ ...sent, text: 'Buy bread' })).rejects.toMatchObject({ code: '__NAME__.NOTE_ALREADY_EXISTS' });
    const row = await service.dependencies.orm.em.fork().findOneOrFail(Note, { noteId: sent.noteId });
    expect(row.text).toBe('Buy milk');
  });

  it.each([
    ['an id that is not a UUID', { noteId: 'n-1' }, ['noteId']],
    ['empty text', { text: '' }, ['text']],
    ['a field the contract does not have', { colour: 'red' }, ['colour']],
  ])('refuses %s with field errors and writes nothing', async (_case, overrides, fields) => {
    const before = await storedEventCount();
    const error = (await createNote(request(overrides as Partial<CreateNoteRequestJson>)).catch((e: unknown) => e)) as RpcCallError;
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error.code).toBe('VALIDATION.FAILED');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(fields);
    expect(await storedEventCount()).toBe(before);
  });

  it('answers its health check', async () => {
    const response = await fetch(`${service.url}/health`);
    expect(response.status).toBe(200);
  });
});
