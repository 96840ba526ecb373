import { createServiceOrm, runSql } from '@botplatform/event-store';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { gatewaySessionsMigration } from '../migrations/20261124000500-gateway-sessions.migration.js';
import { GatewaySessionRecord } from './gateway-session.entity.js';
import { MikroOrmSessionStorage } from './mikro-orm-session.storage.js';

const BOT_A = '11111111-1111-4111-8111-111111111111';
const BOT_B = '22222222-2222-4222-8222-222222222222';

describe('MikroOrmSessionStorage', () => {
  let database: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    database = await createTestDatabase('bp_gw_sessions');
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'gateway', entities: [GatewaySessionRecord], migrations: [gatewaySessionsMigration] });
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  it('reads nothing for a chat that has no session yet', async () => {
    expect(await new MikroOrmSessionStorage(orm, BOT_A).read('404')).toBeUndefined();
  });

  it('reads back what it wrote, and a second write replaces the first', async () => {
    const storage = new MikroOrmSessionStorage(orm, BOT_A);
    await storage.write('100', { awaiting: { feature: 'admin', step: 'find-user' } });
    expect(await storage.read('100')).toEqual({ awaiting: { feature: 'admin', step: 'find-user' } });

    await storage.write('100', { awaiting: { feature: 'admin', step: 'block-reason', data: { target: '42' } } });
    expect(await storage.read('100')).toEqual({ awaiting: { feature: 'admin', step: 'block-reason', data: { target: '42' } } });
    const rows = await runSql<{ value: unknown; updated_at: unknown }>(
      orm.em,
      'SELECT value, updated_at FROM gateway.gateway_sessions WHERE bot_id = $1 AND key = $2',
      [BOT_A, '100'],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].updated_at).not.toBeNull();
  });

  it("reads a burst of chats' sessions in a few statements, each chat getting its own", async () => {
    const writer = new MikroOrmSessionStorage(orm, BOT_B);
    const chats = Array.from({ length: 50 }, (_, i) => String(3_000 + i));
    for (const chat of chats.filter((_, i) => i % 2 === 0)) await writer.write(chat, { serviceSlices: { users: chat } });
    const reader = new MikroOrmSessionStorage(orm, BOT_B);
    // Counted on the pool, which the storage's prepared reads go through.
    const pool = (await orm.em.getConnection().getNativeClient()) as unknown as { query: (...args: unknown[]) => unknown };
    const query = pool.query.bind(pool);
    let statements = 0;
    pool.query = (...args: unknown[]) => {
      if (String((args[0] as { text?: string })?.text ?? args[0]).includes('gateway_sessions')) statements++;
      return query(...args);
    };
    try {
      const sessions = await Promise.all(chats.map((chat) => reader.read(chat)));
      expect(sessions).toEqual(chats.map((chat, i) => (i % 2 === 0 ? { serviceSlices: { users: chat } } : undefined)));
      // The first two go alone; everything asked meanwhile follows in one or two more.
      expect(statements).toBeLessThanOrEqual(4);
    } finally {
      delete (pool as { query?: unknown }).query;
    }
  });

  it('forgets a deleted session, and deleting a missing one is harmless', async () => {
    const storage = new MikroOrmSessionStorage(orm, BOT_A);
    await storage.write('200', {});
    await storage.delete('200');
    expect(await storage.read('200')).toBeUndefined();
    await expect(storage.delete('200')).resolves.toBeUndefined();
  });

  it('keeps two bots apart in the same chat', async () => {
    const inA = new MikroOrmSessionStorage(orm, BOT_A);
    const inB = new MikroOrmSessionStorage(orm, BOT_B);
    await inA.write('300', { awaiting: { feature: 'a', step: 'one' } });
    expect(await inB.read('300')).toBeUndefined();

    await inB.write('300', { awaiting: { feature: 'b', step: 'two' } });
    await inB.delete('300');
    expect(await inA.read('300')).toEqual({ awaiting: { feature: 'a', step: 'one' } });
  });

  it('writes back only what changed: an unchanged session costs no write, an empty new one no row', async () => {
    const storage = new MikroOrmSessionStorage(orm, BOT_A);
    const updatedAt = async (key: string) =>
      (
        await runSql<{ at: string }>(orm.em, `SELECT to_json(updated_at) #>> '{}' AS at FROM gateway.gateway_sessions WHERE bot_id = $1 AND key = $2`, [
          BOT_A,
          key,
        ])
      )[0]?.at;
    await storage.write('500', { awaiting: { feature: 'admin', step: 'find-user' } });
    await runSql(orm.em, `UPDATE gateway.gateway_sessions SET updated_at = '2000-01-01T00:00:00Z' WHERE bot_id = $1 AND key = '500'`, [BOT_A]);

    const session = await storage.read('500');
    await storage.write('500', { ...session });
    expect(await updatedAt('500')).toBe('2000-01-01T00:00:00+00:00');
    await storage.write('500', {});
    expect(await storage.read('500')).toEqual({});

    expect(await storage.read('501')).toBeUndefined();
    await storage.write('501', {});
    expect(await updatedAt('501')).toBeUndefined();
  });

  it('survives concurrent writes to one key with exactly one row', async () => {
    const storage = new MikroOrmSessionStorage(orm, BOT_B);
    await Promise.all(Array.from({ length: 10 }, (_, i) => storage.write('400', { awaiting: { feature: 'f', step: String(i) } })));
    const rows = await runSql<{ n: string }>(orm.em, 'SELECT count(*) AS n FROM gateway.gateway_sessions WHERE bot_id = $1 AND key = $2', [BOT_B, '400']);
    expect(Number(rows[0].n)).toBe(1);
    expect((await storage.read('400'))?.awaiting?.feature).toBe('f');
  });
});
