import { PostgresEventStore, createServiceOrm, runSql } from '@botplatform/event-store';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createUsersService } from '../users.service.js';
import { BotDirectory, RECENT_PROFILE_MS } from './bot-directory.js';
import { BotRegistry } from './bot-registry.js';
import { BotTokenCipher, INSECURE_DEVELOPMENT_TOKEN_KEYS } from './bot-token-cipher.js';
import { BotAlreadyRegisteredError, BotInactiveError, BotNotFoundError, ForbiddenTenantError, NotAnAdminError } from './bot.errors.js';
import { RegisteredBot } from './registered-bot.entity.js';
import { randomTestBotToken, registerTestBot } from './testing/register-test-bot.js';

/** The registry on the service's read models and event store, without Nest: registration, secrets, tenancy checks. */
describe('BotRegistry', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let store: PostgresEventStore;
  let registry: BotRegistry;
  const cipher = BotTokenCipher.forDevelopment();
  const admins = new Set<string>();

  const storedText = async () => {
    const events = await runSql<{ t: string }>(orm.em.fork(), "SELECT string_agg(data::text, ' ') AS t FROM users.event_store_events");
    const bots = await runSql<{ t: string }>(orm.em.fork(), "SELECT string_agg(b::text, ' ') AS t FROM users.bots b");
    return `${events[0].t} ${bots[0].t}`;
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_bot_registry');
    // The service's whole schema: every command also runs the other slices' projections (members, audit).
    const service = createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS });
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'users', entities: service.entities, migrations: service.migrations });
    store = new PostgresEventStore(orm.em, { schema: 'users' });
    registry = new BotRegistry(store, orm.em, cipher, async (botId, telegramUserId) => admins.has(`${botId}/${telegramUserId}`));
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  it('stores the token only sealed, and gives it back in clear only as credentials', async () => {
    const token = randomTestBotToken();
    const { botId, apiToken } = await registry.register({ name: 'Shop', token, ownerTelegramUserId: 42, timezone: 'Europe/Berlin' });
    const text = await storedText();
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split(':')[1]);
    expect(text).not.toContain(apiToken);
    expect(text).not.toContain(apiToken.slice('bp_12345678_'.length));
    expect(await registry.credentials(botId)).toEqual([{ botId, name: 'Shop', token, tokenVersion: 1, active: true }]);
    expect(await registry.authenticateApiToken(apiToken)).toEqual({ botId, tokenId: apiToken.split('_')[1] });
  });

  it('refuses a second registration of the same Telegram bot, even when both race', async () => {
    const token = randomTestBotToken();
    const secondToken = `${token.split(':')[0]}:${'x'.repeat(35)}`;
    const results = await Promise.allSettled([
      registry.register({ name: 'A', token, ownerTelegramUserId: 1 }),
      registry.register({ name: 'B', token: secondToken, ownerTelegramUserId: 1 }),
      registry.register({ name: 'C', token, ownerTelegramUserId: 1 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(BotAlreadyRegisteredError);
    }
    const telegramBotId = token.split(':')[0];
    expect(await orm.em.fork().count(RegisteredBot, { telegramBotId })).toBe(1);
    await expect(registry.register({ name: 'D', token, ownerTelegramUserId: 1 })).rejects.toMatchObject({ code: 'USERS.BOT_ALREADY_REGISTERED' });
  });

  it('answers recentlyActive from a profile read less than a second ago, unless the bot was changed in this process', async () => {
    const { botId } = await registerTestBot(store, orm.em, { name: 'Recent', ownerTelegramUserId: 8 });
    let now = 1_000_000;
    const directory = new BotDirectory(orm.em, () => now);
    expect((await directory.recentlyActive(botId)).name).toBe('Recent');
    // Changed behind the process's back (as another replica's change looks from here): still the kept profile…
    await runSql(orm.em.fork(), 'UPDATE users.bots SET name = $2 WHERE bot_id = $1', [botId, 'Renamed elsewhere']);
    now += RECENT_PROFILE_MS - 1;
    expect((await directory.recentlyActive(botId)).name).toBe('Recent');
    // …until it is a second old.
    now += 1;
    expect((await directory.recentlyActive(botId)).name).toBe('Renamed elsewhere');
    // A deactivation made in this process (through the projection) is seen at once.
    await registry.deactivate(botId, 'operator', 'paused');
    await expect(directory.recentlyActive(botId)).rejects.toBeInstanceOf(BotInactiveError);
    await expect(directory.recentlyActive('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(BotNotFoundError);
  });

  it('reads the profile once for registrations that ask while it is being read, and again after a change made here', async () => {
    const { botId } = await registerTestBot(store, orm.em, { name: 'Burst', ownerTelegramUserId: 9 });
    const directory = new BotDirectory(orm.em);
    let reads = 0;
    let gate: Promise<void> | undefined;
    const find = directory.find.bind(directory);
    directory.find = async (...args) => {
      reads++;
      const read = find(...args);
      await gate;
      return read;
    };
    const burst = await Promise.all(Array.from({ length: 20 }, () => directory.recentlyActive(botId)));
    expect(burst.map((bot) => bot.name)).toEqual(Array(20).fill('Burst'));
    expect(reads).toBe(1);

    // A read under way when the bot is changed here: those asking after the change read again.
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    await registry.setSetting(botId, { key: 'timezone', valueJson: '"Asia/Tokyo"' }, 'operator');
    const askedBefore = [directory.recentlyActive(botId), directory.recentlyActive(botId)];
    expect(reads).toBe(2);
    await registry.deactivate(botId, 'operator', 'paused');
    const askedAfter = directory.recentlyActive(botId);
    expect(reads).toBe(3);
    open();
    expect((await Promise.all(askedBefore)).map((bot) => bot.timezone)).toEqual(['Asia/Tokyo', 'Asia/Tokyo']);
    await expect(askedAfter).rejects.toBeInstanceOf(BotInactiveError);
    // A read that found no bot is not shared with those who ask after it.
    await expect(directory.recentlyActive('00000000-0000-4000-8000-000000000001')).rejects.toBeInstanceOf(BotNotFoundError);
    await expect(directory.recentlyActive('00000000-0000-4000-8000-000000000001')).rejects.toBeInstanceOf(BotNotFoundError);
    expect(reads).toBe(5);
  });

  it('shows the profile through BotDirectory, and requireActive refuses deactivated and unknown bots', async () => {
    const { botId } = await registerTestBot(store, orm.em, {
      name: 'Dir',
      ownerTelegramUserId: 7,
      timezone: 'Asia/Tokyo',
      settings: { 'quota.daily.user': 5, theme: { dark: true } },
      flags: { referrals: true },
    });
    const directory = new BotDirectory(orm.em);
    expect(await directory.requireActive(botId)).toEqual({
      botId,
      name: 'Dir',
      ownerTelegramUserId: 7,
      active: true,
      timezone: 'Asia/Tokyo',
      settings: { timezone: 'Asia/Tokyo', 'quota.daily.user': 5, theme: { dark: true } },
      flags: { referrals: true },
    });
    await registry.deactivate(botId, 'operator', 'paused');
    await expect(directory.requireActive(botId)).rejects.toBeInstanceOf(BotInactiveError);
    expect((await directory.find(botId))?.active).toBe(false);
    await expect(directory.requireActive('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(BotNotFoundError);
    expect(await directory.find('not-a-uuid')).toBeNull();
    await registry.setSetting(botId, { key: 'timezone', valueJson: '"America/New_York"' }, 'operator');
    expect((await directory.find(botId))?.timezone).toBe('America/New_York');
  });

  it('rotates to a token of the same bot: a new version that decrypts, the old token gone; the same token changes nothing', async () => {
    const token = randomTestBotToken();
    const { botId } = await registry.register({ name: 'Rot', token, ownerTelegramUserId: 1 });
    const next = `${token.split(':')[0]}:${'N'.repeat(40)}`;
    expect(await registry.rotateToken(botId, 'operator', next)).toMatchObject({ changed: true, bot: { tokenVersion: 2 } });
    expect((await registry.credentials(botId))[0]).toMatchObject({ token: next, tokenVersion: 2 });
    expect(await registry.rotateToken(botId, 'operator', next)).toMatchObject({ changed: false, bot: { tokenVersion: 2 } });
    await expect(registry.rotateToken(botId, 'operator', randomTestBotToken())).rejects.toMatchObject({ code: 'USERS.INVALID_BOT_TOKEN' });
    expect(await store.streamVersion(`bot-${botId}`)).toBe(2);
  });

  it('reissues the API token: the old one stops working at once', async () => {
    const { botId, apiToken } = await registry.register({ name: 'Re', token: randomTestBotToken(), ownerTelegramUserId: 1 });
    const { apiToken: fresh } = await registry.reissueApiToken(botId, 'operator');
    expect(await registry.authenticateApiToken(apiToken)).toBeNull();
    expect(await registry.authenticateApiToken(fresh)).toMatchObject({ botId });
    const forged = `${fresh.slice(0, -1)}${fresh.endsWith('A') ? 'B' : 'A'}`;
    expect(await registry.authenticateApiToken(forged)).toBeNull();
  });

  it('lets only admins and the owner of a bot change it as telegram:<id>, and only its own API token id as api:<id>', async () => {
    const a = await registry.register({ name: 'A', token: randomTestBotToken(), ownerTelegramUserId: 100 });
    const b = await registry.register({ name: 'B', token: randomTestBotToken(), ownerTelegramUserId: 200 });
    admins.add(`${a.botId}/101`);
    await expect(registry.setFeatureFlag(a.botId, 'referrals', true, 'telegram:100')).resolves.toMatchObject({ flags: { referrals: true } });
    await expect(registry.setFeatureFlag(a.botId, 'beta', true, 'telegram:101')).resolves.toMatchObject({ flags: { beta: true } });
    await expect(registry.setFeatureFlag(b.botId, 'beta', true, 'telegram:101')).rejects.toBeInstanceOf(NotAnAdminError);
    await expect(registry.setFeatureFlag(a.botId, 'x', true, 'telegram:999')).rejects.toMatchObject({ code: 'USERS.NOT_AN_ADMIN' });
    const aTokenId = a.apiToken.split('_')[1];
    await expect(registry.setFeatureFlag(b.botId, 'x', true, `api:${aTokenId}`)).rejects.toBeInstanceOf(ForbiddenTenantError);
    await expect(registry.deactivate(b.botId, 'telegram:200')).rejects.toBeInstanceOf(ForbiddenTenantError);
    expect((await registry.config(b.botId)).flags).toEqual({});
    expect(await store.streamVersion(`bot-${b.botId}`)).toBe(1);
  });

  it('lists every bot or the active ones, never with a secret, and credentials of every active bot', async () => {
    const all = await registry.list();
    const active = await registry.list({ activeOnly: true });
    expect(active.length).toBeLessThan(all.length);
    expect(active.every((b) => b.active)).toBe(true);
    expect(JSON.stringify(all)).not.toMatch(/token"|hash|cipher/i);
    const credentials = await registry.credentials();
    expect(credentials.map((c) => c.botId).sort()).toEqual(active.map((b) => b.botId).sort());
  });
});
