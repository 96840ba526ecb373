import { EmbeddedEventBus, InProcessBroker, RpcCallError, encodePublicEvent, type RpcClient } from '@botplatform/bus';
import {
  RPC,
  BotFeatureFlagChangedSchema,
  BotSettingChangedSchema,
  SettingType,
  decodeEventMessage,
  isEventOf,
  type GetBotConfigRequestJson,
  type RegisterBotReplyJson,
  type RegisterBotRequestJson,
  type SetSettingRequestJson,
} from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { randomBytes } from 'node:crypto';
import { createUsersService } from '../users.service.js';
import { randomTestBotToken } from './testing/register-test-bot.js';

/** The bot registry over rpc.users.*, on a real database, with the public events the relay would publish. */
describe('Bots over request/reply', () => {
  const definition = createUsersService({ tokenKeys: `k1:${randomBytes(32).toString('base64')}`, operatorToken: 'operator-token-for-tests' });
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let users: RunningService;
  let rpc: RpcClient;

  const call: RpcClient['call'] = (method, request) => rpc.call(method, request);
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as RpcCallError,
    );
  const register = async (request: RegisterBotRequestJson) => (await call(RPC.users.registerBot, request)) as Required<RegisterBotReplyJson>;
  const storedText = async () => {
    const em = users.dependencies.orm.em.fork();
    const [events] = await runSql<{ t: string }>(em, "SELECT coalesce(string_agg(data::text, ' '), '') AS t FROM users.event_store_events");
    const [bots] = await runSql<{ t: string }>(em, "SELECT coalesce(string_agg(b::text, ' '), '') AS t FROM users.bots b");
    return `${events.t} ${bots.t}`;
  };
  // What the relay would publish for the bot's stream: the service's mapper and the bus codec. (readAll
  // would also do, but it waits for every older transaction on the server, other test runs' included.)
  const publicEventsOf = async (botId: string) => {
    const { events } = await users.dependencies.store.readStream(`bot-${botId}`);
    return events
      .map((e) => encodePublicEvent(e, definition.toPublic!))
      .filter((e) => e !== null)
      .map((e) => ({ bytes: e.bytes, decoded: decodeEventMessage(e.bytes) }));
  };
  const eventCount = async () => {
    const [row] = await runSql<{ n: number }>(users.dependencies.orm.em.fork(), 'SELECT count(*)::integer AS n FROM users.event_store_events');
    return row.n;
  };
  const version = (botId: string) => users.dependencies.store.streamVersion(`bot-${botId}`);

  beforeAll(async () => {
    database = await createTestDatabase('bp_bots_rpc');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    users = await startService(definition, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    rpc = createRpcClient({ kind: 'in-process', broker });
  });

  afterAll(async () => {
    await rpc?.close();
    await users?.close();
    await bus?.close();
    await database?.drop();
  });

  it('registers a bot with its token sealed at rest; only get-bot-credentials gives it back', async () => {
    const token = randomTestBotToken();
    const reply = await register({ name: 'Shop', token, ownerTelegramUserId: '42', timezone: 'Europe/Berlin' });
    expect(reply.apiToken).toMatch(/^bp_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    const stored = await storedText();
    for (const secret of [token, token.split(':')[1], reply.apiToken, reply.apiToken.slice('bp_12345678_'.length)]) expect(stored).not.toContain(secret);
    const { bots } = await call(RPC.users.getBotCredentials, { botId: reply.botId });
    expect(bots).toEqual([{ botId: reply.botId, name: 'Shop', token, tokenVersion: 1, active: true }]);
    const { bots: listed } = await call(RPC.users.listBots, {});
    expect(listed).toContainEqual(expect.objectContaining({ botId: reply.botId, ownerTelegramUserId: '42', active: true, tokenVersion: 1 }));
    expect(JSON.stringify(listed)).not.toContain(token.split(':')[1]);
  });

  it('answers a malformed token, a duplicate Telegram bot and bad fields with typed errors and writes nothing', async () => {
    const token = randomTestBotToken();
    await register({ name: 'First', token, ownerTelegramUserId: '1' });
    const before = await eventCount();
    expect((await failure(register({ name: 'Bad', token: 'not-a-token', ownerTelegramUserId: '1' }))).code).toBe('USERS.INVALID_BOT_TOKEN');
    const otherSecret = `${token.split(':')[0]}:${'s'.repeat(35)}`;
    expect((await failure(register({ name: 'Again', token: otherSecret, ownerTelegramUserId: '1' }))).code).toBe('USERS.BOT_ALREADY_REGISTERED');
    expect((await failure(register({ name: 'Tz', token: randomTestBotToken(), ownerTelegramUserId: '1', timezone: 'Nowhere/City' }))).code).toBe(
      'USERS.INVALID_TIMEZONE',
    );
    const invalid = await failure(register({ name: '', token: randomTestBotToken(), ownerTelegramUserId: '-3' }));
    expect(invalid).toMatchObject({ code: 'VALIDATION.FAILED' });
    expect(Object.keys(invalid.fields ?? {}).sort()).toEqual(['name', 'ownerTelegramUserId']);
    expect(await eventCount()).toBe(before);
  });

  it('deactivates, activates and rotates with events whose public form carries no secret', async () => {
    const token = randomTestBotToken();
    const { botId, apiToken } = await register({ name: 'Life', token, ownerTelegramUserId: '5' });
    const off = await call(RPC.users.deactivateBot, { botId, requestedBy: 'operator', reason: 'maintenance' });
    expect(off).toMatchObject({ changed: true, bot: { active: false } });
    expect(await call(RPC.users.deactivateBot, { botId, requestedBy: 'operator' })).toMatchObject({ changed: false });
    const { bots: active } = await call(RPC.users.getBotCredentials, {});
    expect(active?.map((b) => b.botId)).not.toContain(botId);
    expect(await call(RPC.users.activateBot, { botId, requestedBy: `api:${apiToken.split('_')[1]}` })).toMatchObject({ changed: true, bot: { active: true } });
    const next = `${token.split(':')[0]}:${randomBytes(30).toString('base64url')}`;
    expect(await call(RPC.users.rotateBotToken, { botId, requestedBy: 'operator', token: next })).toMatchObject({
      changed: true,
      bot: { tokenVersion: 2 },
    });
    const { bots } = await call(RPC.users.getBotCredentials, { botId });
    expect(bots?.[0]).toMatchObject({ token: next, tokenVersion: 2 });
    expect((await failure(call(RPC.users.rotateBotToken, { botId, requestedBy: 'operator', token: randomTestBotToken() }))).code).toBe(
      'USERS.INVALID_BOT_TOKEN',
    );

    const published = await publicEventsOf(botId);
    expect(published.map((e) => e.decoded.subject)).toEqual([
      'users.bot.registered.v1',
      'users.bot.deactivated.v1',
      'users.bot.activated.v1',
      'users.bot.token_rotated.v1',
    ]);
    expect(published[1].decoded.message).toMatchObject({ botId, reason: 'maintenance' });
    expect(published[3].decoded.message).toMatchObject({ botId, tokenVersion: 2 });
    for (const { bytes } of published) {
      const text = Buffer.from(bytes).toString('latin1');
      for (const secret of [token.split(':')[1], next.split(':')[1], apiToken.slice('bp_12345678_'.length)]) expect(text).not.toContain(secret);
    }
    const stored = await users.dependencies.store.readStream(`bot-${botId}`);
    const apiTokenHash = (stored.events[0].data as { apiTokenHash: string }).apiTokenHash;
    const sealed = (stored.events[0].data as { encryptedToken: { ciphertext: string } }).encryptedToken.ciphertext;
    for (const { bytes } of published) {
      const text = Buffer.from(bytes).toString('latin1');
      expect(text).not.toContain(apiTokenHash);
      expect(text).not.toContain(sealed);
    }
  });

  it('records a flag change once and nothing for an unchanged flag, as the operator or an API token of the bot', async () => {
    const { botId, apiToken } = await register({ name: 'Flags', token: randomTestBotToken(), ownerTelegramUserId: '6' });
    const changedBy = `api:${apiToken.split('_')[1]}`;
    const on = await call(RPC.users.setFeatureFlag, { botId, flag: 'referrals', enabled: true, changedBy });
    expect(on.flags).toEqual({ referrals: true });
    const at = await version(botId);
    await call(RPC.users.setFeatureFlag, { botId, flag: 'referrals', enabled: true, changedBy: 'operator' });
    await call(RPC.users.setFeatureFlag, { botId, flag: 'never_set', changedBy: 'operator' });
    expect(await version(botId)).toBe(at);
    const flagEvents = (await publicEventsOf(botId)).map((e) => e.decoded).filter((d) => isEventOf(d, BotFeatureFlagChangedSchema));
    expect(flagEvents).toHaveLength(1);
    expect(flagEvents[0].message).toMatchObject({ flag: 'referrals', enabled: true, changedBy });
    expect(flagEvents[0].envelope.actor).toMatchObject({ id: changedBy });
  });

  it('refuses a flag or setting from a Telegram user who is not an admin, and an API token of another bot', async () => {
    const a = await register({ name: 'A', token: randomTestBotToken(), ownerTelegramUserId: '100' });
    const b = await register({ name: 'B', token: randomTestBotToken(), ownerTelegramUserId: '200' });
    expect((await failure(call(RPC.users.setFeatureFlag, { botId: a.botId, flag: 'x', enabled: true, changedBy: 'telegram:300' }))).code).toBe(
      'USERS.NOT_AN_ADMIN',
    );
    const setting: SetSettingRequestJson = { botId: b.botId, key: 'quota.daily.user', valueJson: '5', changedBy: `api:${a.apiToken.split('_')[1]}` };
    expect((await failure(call(RPC.users.setSetting, setting))).code).toBe('USERS.FORBIDDEN_TENANT');
    const owner = await call(RPC.users.setFeatureFlag, { botId: a.botId, flag: 'x', enabled: true, changedBy: 'telegram:100' });
    expect(owner.flags).toEqual({ x: true });
    expect(await version(b.botId)).toBe(1);
  });

  it('refuses a NUL character in any field with VALIDATION.FAILED naming it, writing nothing', async () => {
    const { botId } = await register({ name: 'Nul', token: randomTestBotToken(), ownerTelegramUserId: '8' });
    const before = await eventCount();
    const nul = await failure(register({ name: 'Nul\u0000Bot', token: randomTestBotToken(), ownerTelegramUserId: '8' }));
    expect(nul).toMatchObject({ code: 'VALIDATION.FAILED', fields: { name: [expect.stringContaining('NUL')] } });
    expect(await failure(call(RPC.users.setFeatureFlag, { botId, flag: 'beta\u0000', enabled: true, changedBy: 'operator' }))).toMatchObject({
      code: 'VALIDATION.FAILED',
      fields: { flag: expect.any(Array) },
    });
    const description = { botId, changedBy: 'operator', key: 'greeting', type: 'SETTING_TYPE_STRING' as const, valueJson: '"Hi"', description: 'Hello\u0000' };
    expect(await failure(call(RPC.users.setSetting, description))).toMatchObject({ code: 'VALIDATION.FAILED', fields: { description: expect.any(Array) } });
    expect(await eventCount()).toBe(before);
  });

  it('refuses a request nested thousands deep with VALIDATION.FAILED instead of overflowing the stack', async () => {
    // 2,000 levels: the test's own JSON copy of the request (the in-process wire) overflows at 5,000.
    let deep: unknown = 1;
    for (let i = 0; i < 2_000; i++) deep = [deep];
    const { botId } = await register({ name: 'Deep', token: randomTestBotToken(), ownerTelegramUserId: '8' });
    expect(await failure(call(RPC.users.getBotConfig, { botId, extra: deep } as GetBotConfigRequestJson))).toMatchObject({
      code: 'VALIDATION.FAILED',
      fields: { extra: [expect.stringContaining('64')] },
    });
    expect((await call(RPC.users.getBotConfig, { botId })).botId).toBe(botId);
  });

  it('keeps setting values PostgreSQL can store and readers can walk: no escaped NUL, at most 32 levels', async () => {
    const { botId } = await register({ name: 'Bounded', token: randomTestBotToken(), ownerTelegramUserId: '8' });
    const set = (fields: Partial<SetSettingRequestJson>) => call(RPC.users.setSetting, { botId, changedBy: 'operator', ...fields });
    const at = await version(botId);
    // Escaped in the JSON text, the NUL passes the transport's screen: the setting's own rules refuse it.
    expect(await failure(set({ key: 'greeting', type: 'SETTING_TYPE_STRING', valueJson: '"Hi\\u0000"', description: 'Greeting' }))).toMatchObject({
      code: 'USERS.INVALID_SETTING',
      message: expect.stringContaining('NUL'),
    });
    expect(await failure(set({ key: 'menu', type: 'SETTING_TYPE_JSON', valueJson: '{"a\\u0000":1}', description: 'Menu' }))).toMatchObject({
      code: 'USERS.INVALID_SETTING',
      message: expect.stringContaining('NUL'),
    });
    expect(await failure(set({ key: 'menu', type: 'SETTING_TYPE_JSON', valueJson: '['.repeat(33) + ']'.repeat(33), description: 'Menu' }))).toMatchObject({
      code: 'USERS.INVALID_SETTING',
      message: expect.stringContaining('32'),
    });
    expect(await version(botId)).toBe(at);
    expect((await set({ key: 'menu', type: 'SETTING_TYPE_JSON', valueJson: '['.repeat(32) + ']'.repeat(32), description: 'Menu' })).settings).toContainEqual(
      expect.objectContaining({ key: 'menu' }),
    );
  });

  it('lets a member the owner approved as admin change flags and settings, until the owner revokes them', async () => {
    const { botId } = await register({ name: 'Admins', token: randomTestBotToken(), ownerTelegramUserId: '400' });
    for (const telegramUserId of ['400', '401']) await call(RPC.users.registerUser, { botId, telegramUserId, firstName: `U${telegramUserId}` });
    const member = { botId, admin: 'telegram:400', targetTelegramUserId: '401' };
    const asAdmin = { botId, key: 'quota.daily.user', valueJson: '3', changedBy: 'telegram:401' };
    expect((await failure(call(RPC.users.setSetting, asAdmin))).code).toBe('USERS.NOT_AN_ADMIN');
    await call(RPC.users.approveAdmin, member);
    expect((await call(RPC.users.setSetting, asAdmin)).settings).toContainEqual(expect.objectContaining({ key: 'quota.daily.user', valueJson: '3' }));
    await call(RPC.users.revokeAdmin, member);
    expect((await failure(call(RPC.users.setFeatureFlag, { botId, flag: 'beta', enabled: true, changedBy: 'telegram:401' }))).code).toBe('USERS.NOT_AN_ADMIN');
  });

  it('validates settings: wrong type, unknown zone, negative quota and a custom key without type are refused with nothing written', async () => {
    const { botId } = await register({ name: 'Settings', token: randomTestBotToken(), ownerTelegramUserId: '7' });
    const set = (fields: Partial<SetSettingRequestJson>) => call(RPC.users.setSetting, { botId, changedBy: 'operator', ...fields });
    const at = await version(botId);
    expect(await failure(set({ key: 'quota.daily.user', valueJson: '"ten"' }))).toMatchObject({ code: 'USERS.SETTING_TYPE_MISMATCH' });
    expect(await failure(set({ key: 'quota.daily.user', type: 'SETTING_TYPE_BOOL', valueJson: 'true' }))).toMatchObject({
      code: 'USERS.SETTING_TYPE_MISMATCH',
    });
    expect(await failure(set({ key: 'timezone', valueJson: '"Mars/Base"' }))).toMatchObject({
      code: 'USERS.INVALID_SETTING',
      message: expect.stringContaining('time zone'),
    });
    expect(await failure(set({ key: 'quota.daily.admin', valueJson: '-5' }))).toMatchObject({
      code: 'USERS.INVALID_SETTING',
      message: expect.stringContaining('negative'),
    });
    expect(await failure(set({ key: 'welcome', valueJson: '"hi"', description: 'Greeting' }))).toMatchObject({
      code: 'USERS.INVALID_SETTING',
      message: expect.stringContaining('type'),
    });
    expect(await failure(set({ key: 'welcome', valueJson: '{not json', type: 'SETTING_TYPE_STRING', description: 'Greeting' }))).toMatchObject({
      code: 'USERS.INVALID_SETTING',
    });
    expect(await version(botId)).toBe(at);

    const config = await set({ key: 'menu', type: 'SETTING_TYPE_JSON', valueJson: '{"items":[1,2]}', description: 'Main menu' });
    expect(config.settings).toContainEqual({ key: 'menu', type: 'SETTING_TYPE_JSON', valueJson: '{"items":[1,2]}', description: 'Main menu' });
    await set({ key: 'quota.daily.user', valueJson: '20' });
    expect(await version(botId)).toBe(at + 2);
    await set({ key: 'quota.daily.user', valueJson: '20' });
    await set({ key: 'timezone', valueJson: '"UTC"' });
    expect(await version(botId)).toBe(at + 2);
    const settingEvents = (await publicEventsOf(botId)).map((e) => e.decoded).filter((d) => isEventOf(d, BotSettingChangedSchema));
    expect(settingEvents.map((d) => [d.message.key, d.message.type, d.message.valueJson])).toEqual([
      ['menu', SettingType.JSON, '{"items":[1,2]}'],
      ['quota.daily.user', SettingType.INT, '20'],
    ]);
    expect((await call(RPC.users.getBotConfig, { botId })).settings?.map((s) => s.key)).toEqual(['menu', 'quota.daily.user', 'timezone']);
  });

  it('answers an unknown bot with USERS.BOT_NOT_FOUND', async () => {
    const botId = '00000000-0000-4000-8000-000000000009';
    expect((await failure(call(RPC.users.getBotConfig, { botId }))).code).toBe('USERS.BOT_NOT_FOUND');
    expect((await failure(call(RPC.users.activateBot, { botId, requestedBy: 'operator' }))).code).toBe('USERS.BOT_NOT_FOUND');
    expect((await failure(call(RPC.users.getBotCredentials, { botId }))).code).toBe('USERS.BOT_NOT_FOUND');
  });
});
