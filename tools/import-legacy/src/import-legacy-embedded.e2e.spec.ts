import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { startEmbeddedPostgres, startPlatform, type EmbeddedDatabase, type RunningPlatform } from '@botplatform/platform';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox } from '@botplatform/telegram-sandbox';
import { freePort, waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** What `npm run import:legacy` runs (after its `tsc -b`): the built command, not the sources. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const BOT_TOKEN = '7000000077:import-embedded-test-token-00000000';

/** Seed 003's users_data.json: three good members and a bad id (the file's checks are the other e2e's). */
const LEGACY = {
  '5100001': {
    username: 'ann',
    first_name: 'Ann',
    total_xp: 350,
    level: 3,
    badges: ['first_training', 'spin_master'],
    stats: { total_trainings: 10, best_score: 185, last_training_date: '2025-01-15T10:30:00' },
    session: { question_count: 5 },
  },
  '5100002': { first_name: 'Boris', total_xp: 120, level: 2, stats: { total_trainings: 2, last_training_date: '2025-02-01T08:00:00' } },
  '5100003': { first_name: 'Carl', total_xp: 0, level: 1 },
  abc: { first_name: 'Not a Telegram id', total_xp: 10 },
};

/** `npm run import:legacy -- <file> --bot <botId>` with npm start's variables and no NATS_URL: its exit code and output. */
function runImportCommand(env: NodeJS.ProcessEnv, file: string, botId: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { NATS_URL: _broker, ...withoutBroker } = process.env;
  const child = spawn(process.execPath, [MAIN, file, '--bot', botId, '--session-service', 'spin'], { env: { ...withoutBroker, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The newcomer's import: the platform run as `npm start` runs it (embedded PostgreSQL in a data directory,
 * the embedded bus, the in-process broker), the import refused while it runs, then run with it stopped
 * (the importer starts that PostgreSQL and the services answering its requests itself), and the platform
 * started again publishing what the import appended.
 */
describe('npm run import:legacy on the embedded platform (npm start stopped)', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  let home: string;
  let dataDir: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let file: string;
  let botId: string;
  let database: EmbeddedDatabase | undefined;
  let platform: { running: RunningPlatform; bus: EmbeddedEventBus; rpc: ReturnType<typeof createRpcClient> } | undefined;

  /** npm start's platform on the data directory's PostgreSQL (started here unless running). */
  const startNpmStart = async () => {
    database ??= await startEmbeddedPostgres(dataDir, port);
    const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const transport = { kind: 'in-process', broker: new InProcessBroker() } as const;
    const running = await startPlatform({
      databaseUrl: database.url,
      bus,
      rpc: transport,
      firstHttpPort: 0,
      logger: false,
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1 },
    });
    platform = { running, bus, rpc: createRpcClient(transport) };
    return platform;
  };
  /** Ctrl+C: the services, the bus, then PostgreSQL. */
  const stopNpmStart = async () => {
    await platform?.rpc.close();
    await platform?.running.close();
    await platform?.bus.close();
    platform = undefined;
    await database?.stop();
    database = undefined;
  };
  const sql = <Row>(service: string, text: string, params: unknown[] = []) =>
    platform!.running.services.get(service)!.dependencies.orm.em.fork().getConnection().execute<Row[]>(text, params);
  const backups = () => readdirSync(home).filter((name) => name.endsWith('.bak'));
  const ruleSends = () =>
    sql<{ telegram_user_id: string; rule: string; n: string }>(
      'notifications',
      `SELECT telegram_user_id::text, rule, count(*)::text AS n FROM notifications.notification_rule_sends
        WHERE bot_id = ? AND rule IN ('level_reached', 'badge_awarded') GROUP BY 1, 2 ORDER BY 1, 2`,
      [botId],
    );
  /** Every consumer's saved position (what the platform has taken from the stores so far), read on the database alone. */
  const consumerPositions = async () => {
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const rows: unknown[] = [];
      for (const schema of ['users', 'notifications', 'subscriptions', 'gamification', 'payments', 'gateway']) {
        const { rows: positions } = await client.query(`SELECT consumer, global_position::text FROM "${schema}".bus_consumer_positions ORDER BY consumer`);
        rows.push(...positions.map((row) => ({ schema, ...row })));
      }
      return rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await sandbox.start();
    sandbox.createBot({ username: 'spin_bot', token: BOT_TOKEN });
    home = mkdtempSync(join(tmpdir(), 'bp-import-embedded-'));
    // Run as root, PostgreSQL runs as the `postgres` OS user, which must be able to enter the folder.
    chmodSync(home, 0o755);
    dataDir = join(home, '.data', 'postgres');
    port = await freePort();
    env = { BOTPLATFORM_DATA_DIR: join(home, '.data'), EMBEDDED_POSTGRES_PORT: String(port) };
    file = join(home, 'users_data.json');
    writeFileSync(file, JSON.stringify(LEGACY));

    // The first npm start: the bot registered, its levels and badges set by the operator.
    const { rpc } = await startNpmStart();
    botId = (await rpc.call(RPC.users.registerBot, { name: 'SPIN trainer', token: BOT_TOKEN, ownerTelegramUserId: '5199999' })).botId!;
    await rpc.call(RPC.gamification.configureLevels, {
      botId,
      levels: [
        { level: 1, minXp: '0' },
        { level: 2, minXp: '100' },
        { level: 3, minXp: '300' },
      ],
    });
    for (const key of ['first_training', 'spin_master']) {
      await rpc.call(RPC.gamification.defineBadge, { botId, badge: { key, names: [{ language: 'en', name: key }], icon: '🏅' } });
    }
  }, 120_000);

  afterAll(async () => {
    await stopNpmStart();
    await sandbox.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('is refused while npm start runs, changing nothing', async () => {
    const refused = await runImportCommand(env, file, botId);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain('npm start (or another import) is running. Stop npm start (Ctrl+C) and run the import again');
    expect(backups()).toEqual([]);
    // The running platform's database is still its own: no member came in.
    expect(await platform!.rpc.call(RPC.users.getMember, { botId, telegramUserId: '5100001' })).toEqual({});
  }, 60_000);

  it('imports with npm start stopped, imports nothing twice, and the next npm start publishes the events once', async () => {
    await stopNpmStart();
    database = await startEmbeddedPostgres(dataDir, port);
    const before = await consumerPositions();
    await database.stop();
    database = undefined;

    const first = await runImportCommand(env, file, botId);
    expect(first.stderr).toBe('');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('embedded platform: its database in');
    expect(first.stdout).toContain('the users, gamification, gateway commands run here');
    expect(first.stdout).toMatch(/imported: 3\n/);
    expect(first.stdout).toContain('abc: bad Telegram id "abc"');
    const second = await runImportCommand(env, file, botId);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toMatch(/imported: 0\nskipped \(already imported, nothing new\): 3\n/);
    expect(backups()).toHaveLength(2);

    // The import ran no consumer: every position is where the platform left it.
    database = await startEmbeddedPostgres(dataDir, port);
    expect(await consumerPositions()).toEqual(before);
    // npm start again, from the same data directory.
    const { rpc } = await startNpmStart();
    const members = await Promise.all(
      ['5100001', '5100002', '5100003'].map(async (telegramUserId) => {
        const { member } = await rpc.call(RPC.users.getMember, { botId, telegramUserId });
        const profile = await rpc.call(RPC.gamification.getProfile, { botId, telegramUserId });
        return {
          name: member?.firstName,
          xp: profile.totalXp,
          level: profile.level,
          badges: (profile.badges ?? []).map((badge) => badge.key).sort(),
          stats: profile.stats,
        };
      }),
    );
    expect(members).toEqual([
      {
        name: 'Ann',
        xp: '350',
        level: 3,
        badges: ['first_training', 'spin_master'],
        stats: { totalActivities: '10', bestScore: '185', lastActivityAt: '2025-01-15T10:30:00.000Z', achievements: 2 },
      },
      { name: 'Boris', xp: '120', level: 2, badges: [], stats: { totalActivities: '2', lastActivityAt: '2025-02-01T08:00:00.000Z', achievements: 0 } },
      { name: 'Carl', xp: '0', level: 1, badges: [], stats: { totalActivities: '0', achievements: 0 } },
    ]);
    expect(
      await sql<{ key: string; value: unknown }>('gateway', `SELECT key, value FROM gateway.gateway_sessions WHERE bot_id = ? ORDER BY key`, [botId]),
    ).toEqual([{ key: '5100001', value: { serviceSlices: { spin: JSON.stringify(LEGACY['5100001'].session) } } }]);
    // The boards in memory are rebuilt from the projection at start: the imported XP ranks.
    const board = await rpc.call(RPC.gamification.getLeaderboard, { botId, limit: 3 });
    expect(board.top?.map((entry) => [entry.rank, entry.telegramUserId, entry.totalXp])).toEqual([
      ['1', '5100001', '350'],
      ['2', '5100002', '120'],
    ]);

    // The embedded bus reads the stores from the consumers' saved positions: notifications' rules decide
    // each imported level-up and badge, once.
    const sends = [
      { telegram_user_id: '5100001', rule: 'badge_awarded', n: '2' },
      { telegram_user_id: '5100001', rule: 'level_reached', n: '1' },
      { telegram_user_id: '5100002', rule: 'level_reached', n: '1' },
    ];
    await waitFor('notifications to follow the imported XP and badges', async () => JSON.stringify(await ruleSends()) === JSON.stringify(sends), {
      timeoutMs: 20_000,
    });
    expect(await consumerPositions()).not.toEqual(before);
  }, 180_000);
});
