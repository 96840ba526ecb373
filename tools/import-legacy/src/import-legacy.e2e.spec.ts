import type { RpcClient } from '@botplatform/bus';
import { RPC, type RegisterBotReplyJson, type RpcMethod, type RpcRequestJson } from '@botplatform/contracts';
import { platformWirings, startPlatform, type PlatformWiring, type RunningPlatform } from '@botplatform/platform';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backUp } from './backup.js';
import { badgeCatalogueOf, importLegacyUsers, type ImportSummary } from './import-legacy.js';
import { parseLegacyFile } from './legacy-file.js';

const OPERATOR_TOKEN = 'import-legacy-e2e-operator-token-0123';
const modes = platformWirings('legacy');

/** Seed 003's users_data.json: three good members, a bad id, a negative XP and a badge the bot does not have. */
const LEGACY = {
  '5100001': {
    username: 'ann',
    first_name: 'Ann',
    language_code: 'en',
    total_xp: 350,
    level: 3,
    badges: ['first_training', { badge_type: 'spin_master', earned_in_bot: 'spin_bot', earned_at: '2025-01-15T10:30:00' }],
    stats: { total_trainings: 10, best_score: 185, achievements_unlocked: ['spin_master'], maestro_streak: 3, last_training_date: '2025-01-15T10:30:00' },
    session: { question_count: 5, clarity_level: 75, chat_state: 'in_progress' },
  },
  '5100002': {
    first_name: 'Boris',
    language_code: 'ru',
    total_xp: 120,
    // The legacy bot's thresholds differed: the platform's give level 2, and the summary says so.
    level: 1,
    badges: [],
    stats: { total_trainings: 2, best_score: 40, last_training_date: '2025-02-01T08:00:00' },
    session: {},
  },
  '5100003': { username: 'carl', first_name: 'Carl', total_xp: 0, level: 1 },
  abc: { first_name: 'Not a Telegram id', total_xp: 10 },
  '5100005': { first_name: 'Dan', total_xp: -40 },
  '5100006': { first_name: 'Eve', total_xp: 10, badges: ['golden_ear'] },
};

describe.each(Object.keys(modes))('npm run import:legacy (%s)', (mode) => {
  let database: TestDatabase;
  let wiring: PlatformWiring;
  let platform: RunningPlatform;
  let sandbox: TelegramSandbox;
  let folder: string;
  let botId: string;
  const clients = new Map<string, RpcClient>();

  const clientAs = (user: string) => {
    if (!clients.has(user)) clients.set(user, createRpcClient(wiring.as(user)));
    return clients.get(user)!;
  };
  const call = <Method extends RpcMethod>(method: Method, request: RpcRequestJson<Method>) => {
    const caller = wiring.callerOf(method.subject);
    const key = caller.kind === 'nats' ? (caller.credentials?.user ?? '') : 'in-process';
    if (!clients.has(key)) clients.set(key, createRpcClient(caller));
    return clients.get(key)!.call(method, request);
  };
  /** What `npm run import:legacy` does after connecting (main.ts), as the broker's `importer` user. */
  const runImport = async (file: string): Promise<ImportSummary> => {
    const importer = clientAs('importer');
    backUp(file, new Date());
    const catalogue = await badgeCatalogueOf(importer, botId);
    const { users, invalid } = parseLegacyFile(readFileSync(file, 'utf8'), { badgeCatalogue: catalogue, now: new Date() });
    return importLegacyUsers(importer, users, invalid, { botId, sessionService: 'spin', concurrency: 4 });
  };
  const gamificationSql = <Row>(sql: string, params: unknown[]) =>
    platform.services.get('gamification')!.dependencies.orm.em.fork().getConnection().execute<Row[]>(sql, params);
  /** Everything the import may have written for the bot, in a stable order. */
  const state = async () => {
    const members = await Promise.all(
      ['5100001', '5100002', '5100003', '5100005', '5100006'].map(async (id) => {
        const { member } = await call(RPC.users.getMember, { botId, telegramUserId: id });
        if (!member) return { id, member: null };
        const profile = await call(RPC.gamification.getProfile, { botId, telegramUserId: id });
        return {
          id,
          member: { firstName: member.firstName, username: member.username, languageCode: member.telegramLanguageCode },
          xp: profile.totalXp,
          level: profile.level,
          badges: (profile.badges ?? []).map((badge) => badge.key).sort(),
          stats: profile.stats,
        };
      }),
    );
    const sessions = await platform.services
      .get('gateway')!
      .dependencies.orm.em.fork()
      .getConnection()
      .execute<{ key: string; value: unknown }[]>(`SELECT key, value FROM gateway.gateway_sessions WHERE bot_id = ? ORDER BY key`, [botId]);
    const xpEvents = await gamificationSql<{ source: string; n: string }[]>(
      `SELECT data->>'sourceId' AS source, count(*)::text AS n FROM gamification.event_store_events
        WHERE type = 'XpAwarded' AND data->>'botId' = ? GROUP BY 1 ORDER BY 1`,
      [botId],
    );
    return { members, sessions, xpEvents };
  };
  /** What notifications made of the gamification events it received (its level_reached and badge_awarded rules). */
  const ruleSends = () =>
    platform.services
      .get('notifications')!
      .dependencies.orm.em.fork()
      .getConnection()
      .execute<{ telegram_user_id: string; rule: string; n: string }[]>(
        `SELECT telegram_user_id::text, rule, count(*)::text AS n FROM notifications.notification_rule_sends
          WHERE bot_id = ? AND rule IN ('level_reached', 'badge_awarded') GROUP BY 1, 2 ORDER BY 1, 2`,
        [botId],
      );

  beforeAll(async () => {
    database = await createTestDatabase('bp_import_legacy');
    wiring = await modes[mode]();
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    platform = await startPlatform({
      databaseUrl: database.url,
      bus: wiring.bus,
      rpc: wiring.rpc,
      firstHttpPort: 0,
      logger: false,
      users: { operatorToken: OPERATOR_TOKEN },
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1 },
    });
    const sandboxBot = sandbox.createBot({ username: 'spin_bot', firstName: 'SPIN trainer' });
    const response = await fetch(`${platform.services.get('users')!.url}/admin/bots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'SPIN trainer', token: sandboxBot.token, ownerTelegramUserId: '5199999' }),
    });
    expect(response.status).toBe(201);
    botId = ((await response.json()) as RegisterBotReplyJson).botId!;
    // The operator gives the bot its levels and badge catalogue before the import.
    await call(RPC.gamification.configureLevels, {
      botId,
      levels: [
        { level: 1, minXp: '0' },
        { level: 2, minXp: '100' },
        { level: 3, minXp: '300' },
      ],
    });
    for (const key of ['first_training', 'spin_master']) {
      await call(RPC.gamification.defineBadge, { botId, badge: { key, names: [{ language: 'en', name: key }], icon: '🏅' } });
    }
    await waitFor('the gateway to host the bot', () => platform.gateway.host?.hosted().length === 1, { timeoutMs: 15_000 });
    folder = mkdtempSync(join(tmpdir(), 'import-legacy-'));
  }, 60_000);

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await platform?.close();
    await wiring?.close();
    await sandbox?.stop();
    await database?.drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }, 60_000);

  it('imports identities, memberships, XP, badges, stats and sessions, reports the bad rows and skips them; a second run imports nothing twice', async () => {
    const file = join(folder, 'users_data.json');
    writeFileSync(file, JSON.stringify(LEGACY, null, 2));

    const first = await runImport(file);
    expect(first).toEqual({
      imported: 3,
      skipped: 0,
      failed: [],
      invalid: [
        { key: '5100005', reasons: ['negative XP (-40)'] },
        { key: '5100006', reasons: [`badge "golden_ear" is not in the bot's catalogue`] },
        { key: 'abc', reasons: ['bad Telegram id "abc"'] },
      ],
      notes: [{ key: '5100002', note: "level 1 in the file, 2 by the bot's thresholds for 120 XP" }],
    });
    const imported = await state();
    expect(imported.members).toEqual([
      {
        id: '5100001',
        member: { firstName: 'Ann', username: 'ann', languageCode: 'en' },
        xp: '350',
        level: 3,
        badges: ['first_training', 'spin_master'],
        stats: { totalActivities: '10', bestScore: '185', lastActivityAt: '2025-01-15T10:30:00.000Z', achievements: 2 },
      },
      {
        id: '5100002',
        member: { firstName: 'Boris', username: undefined, languageCode: 'ru' },
        xp: '120',
        level: 2,
        badges: [],
        stats: { totalActivities: '2', bestScore: '40', lastActivityAt: '2025-02-01T08:00:00.000Z', achievements: 0 },
      },
      {
        id: '5100003',
        member: { firstName: 'Carl', username: 'carl', languageCode: undefined },
        xp: '0',
        level: 1,
        badges: [],
        stats: { totalActivities: '0', achievements: 0 },
      },
      { id: '5100005', member: null },
      { id: '5100006', member: null },
    ]);
    // Ann's session becomes the spin service's slice of her private chat (the chat id is her Telegram id); Boris's was empty.
    expect(imported.sessions).toEqual([{ key: '5100001', value: { serviceSlices: { spin: JSON.stringify(LEGACY['5100001'].session) } } }]);
    expect(imported.xpEvents).toEqual([
      { source: `legacy:${botId}:5100001:xp`, n: '1' },
      { source: `legacy:${botId}:5100002:xp`, n: '1' },
    ]);

    // The events went out as for any member: notifications' rules saw each level-up and each badge once.
    const sends = [
      { telegram_user_id: '5100001', rule: 'badge_awarded', n: '2' },
      { telegram_user_id: '5100001', rule: 'level_reached', n: '1' },
      { telegram_user_id: '5100002', rule: 'level_reached', n: '1' },
    ];
    await waitFor('notifications to follow the imported XP and badges', async () => JSON.stringify(await ruleSends()) === JSON.stringify(sends), {
      timeoutMs: 15_000,
    });

    // The same file again: every row is skipped, nothing is doubled.
    const second = await runImport(file);
    expect(second).toMatchObject({ imported: 0, skipped: 3, failed: [], notes: [{ key: '5100002' }] });
    expect(second.invalid.map((row) => row.key)).toEqual(['5100005', '5100006', 'abc']);
    expect(await state()).toEqual(imported);
    expect(await ruleSends()).toEqual(sends);
    // Each run left a backup of the file next to it, the file itself untouched.
    expect(readdirSync(folder).filter((name) => /^users_data\.json\..+\.bak$/.test(name))).toHaveLength(2);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(LEGACY);
  });

  it('leaves a session the member already has in the bot as it is', async () => {
    const file = join(folder, 'one.json');
    writeFileSync(file, JSON.stringify({ '5100010': { first_name: 'Fay', total_xp: 5, session: { step: 'legacy' } } }));
    const live = JSON.stringify({ step: 'live' });
    expect(await clientAs('importer').call(RPC.gateway.importSession, { botId, telegramUserId: '5100010', service: 'spin', sessionJson: live })).toEqual({
      imported: true,
    });
    const summary = await runImport(file);
    expect(summary).toMatchObject({ imported: 1, notes: [{ key: '5100010', note: 'session kept: the chat already had a spin session' }] });
    const [row] = await platform.services
      .get('gateway')!
      .dependencies.orm.em.fork()
      .getConnection()
      .execute<{ value: unknown }[]>(`SELECT value FROM gateway.gateway_sessions WHERE bot_id = ? AND key = '5100010'`, [botId]);
    expect(row.value).toEqual({ serviceSlices: { spin: live } });
  });
});
