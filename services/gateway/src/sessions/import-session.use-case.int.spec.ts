import { createServiceOrm } from '@botplatform/event-store';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { gatewaySessionsMigration } from '../migrations/20261124000500-gateway-sessions.migration.js';
import { GatewaySessionRecord } from './gateway-session.entity.js';
import { InvalidSessionError, SessionTooLargeError } from './import-session.errors.js';
import { ImportSessionUseCase } from './import-session.use-case.js';
import { MikroOrmSessionStorage } from './mikro-orm-session.storage.js';

const BOT = '33333333-3333-4333-8333-333333333333';
const LEGACY = JSON.stringify({ question_count: 5, chat_state: 'in_progress' });

/** `rpc.gateway.import-session`'s use case on a real gateway_sessions table, read back the way a hosted bot reads it. */
describe('ImportSessionUseCase', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let useCase: ImportSessionUseCase;
  const importSession = (telegramUserId: string, sessionJson = LEGACY, service = 'spin') =>
    useCase.execute({ botId: BOT, telegramUserId, service, sessionJson });

  beforeAll(async () => {
    database = await createTestDatabase('bp_gw_import_session');
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'gateway', entities: [GatewaySessionRecord], migrations: [gatewaySessionsMigration] });
    useCase = new ImportSessionUseCase(orm);
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  it("writes the service's slice of the member's private chat once when 20 imports race", async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => importSession('100', i === 0 ? LEGACY : JSON.stringify({ other: i }))));
    expect(replies.filter((reply) => reply.imported)).toHaveLength(1);
    const session = await new MikroOrmSessionStorage(orm, BOT).read('100');
    expect(Object.keys(session!.serviceSlices!)).toEqual(['spin']);
    expect(await importSession('100')).toEqual({ imported: false });
  });

  it('adds a slice beside what the chat holds, and never replaces a slice the bot wrote', async () => {
    const storage = new MikroOrmSessionStorage(orm, BOT);
    await storage.write('200', { awaiting: { feature: 'admin', step: 'find-user' }, serviceSlices: { spin: '{"live":true}' } });
    expect(await importSession('200')).toEqual({ imported: false });
    expect(await importSession('200', LEGACY, 'quiz')).toEqual({ imported: true });
    expect(await storage.read('200')).toEqual({ awaiting: { feature: 'admin', step: 'find-user' }, serviceSlices: { spin: '{"live":true}', quiz: LEGACY } });
  });

  it('refuses a slice over 4096 bytes and one that is not a JSON object, writing nothing', async () => {
    await expect(importSession('300', JSON.stringify({ big: 'x'.repeat(4100) }))).rejects.toBeInstanceOf(SessionTooLargeError);
    await expect(importSession('300', '[1, 2]')).rejects.toBeInstanceOf(InvalidSessionError);
    await expect(importSession('300', '{"a":')).rejects.toBeInstanceOf(InvalidSessionError);
    expect(await new MikroOrmSessionStorage(orm, BOT).read('300')).toBeUndefined();
  });
});
