import { createServiceOrm } from '@botplatform/event-store';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { IncomingUpdateJournal } from '../intake/incoming-update.journal.js';
import { incomingUpdateJournalMigrations } from '../intake/migrations/20261201000000-answering-updates.migration.js';
import { gatewaySessionsMigration } from '../migrations/20261124000500-gateway-sessions.migration.js';
import { GatewaySessionRecord } from '../sessions/gateway-session.entity.js';
import { MikroOrmSessionStorage } from '../sessions/mikro-orm-session.storage.js';
import { UsersClient } from '../users/users.client.js';
import { BotHost } from './bot-host.js';
import { BotRegistryStandIn } from './testing/bot-registry.stand-in.js';
import { CapturingLogger } from './testing/capturing-logger.js';
import { EchoBehaviour, callerContext } from './testing/echo-behaviour.js';

describe('BotHost (long polling)', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let sandbox: TelegramSandbox;
  let registry: BotRegistryStandIn;
  let users: UsersClient;
  let echo: EchoBehaviour;
  let logger: CapturingLogger;
  let host: BotHost;
  let alice: SandboxUser;
  const tokens: string[] = [];

  /** A sandbox bot registered in the stand-in registry (not yet known to the host). */
  const registerBot = (name: string, username: string): { botId: string; sandboxBot: SandboxBot } => {
    const sandboxBot = sandbox.createBot({ username });
    const botId = randomUUID();
    tokens.push(sandboxBot.token);
    registry.put({ botId, name, token: sandboxBot.token });
    return { botId, sandboxBot };
  };

  const say = async (bot: SandboxBot, text: string, expected: string) => {
    const chat = sandbox.chat(alice, bot);
    chat.sendText(text);
    return chat.waitForMessage((message) => message.text === expected, { timeoutMs: 5_000 });
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_gw_host');
    orm = await createServiceOrm({
      clientUrl: database.url,
      schema: 'gateway',
      entities: [GatewaySessionRecord],
      migrations: [gatewaySessionsMigration, ...incomingUpdateJournalMigrations],
    });
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    registry = await BotRegistryStandIn.start();
    users = new UsersClient(createRpcClient({ kind: 'in-process', broker: registry.broker }));
    echo = new EchoBehaviour();
    logger = new CapturingLogger();
    host = new BotHost({
      credentials: users,
      sessions: (botId) => new MikroOrmSessionStorage(orm, botId),
      journal: new IncomingUpdateJournal(orm),
      behaviour: echo,
      apiRoot: sandbox.apiRoot,
      mode: 'polling',
      reconcileIntervalMs: 0,
      logger,
    });
    alice = sandbox.createUser({ firstName: 'Alice', languageCode: 'en' });
  });

  afterAll(async () => {
    await host?.stopAll();
    await registry?.close();
    await sandbox?.stop();
    await orm?.close(true);
    await database?.drop();
  });

  describe('with two bots in the registry at start', () => {
    let alpha: { botId: string; sandboxBot: SandboxBot };
    let beta: { botId: string; sandboxBot: SandboxBot };

    beforeAll(async () => {
      alpha = registerBot('Alpha', 'alpha_bot');
      beta = registerBot('Beta', 'beta_bot');
      const report = await host.start();
      expect(Object.fromEntries(report.changes)).toEqual({ [alpha.botId]: 'started', [beta.botId]: 'started' });
    });

    it('serves both from one process, each answering as itself', async () => {
      await say(alpha.sandboxBot, 'hello', 'Alpha: hello (before: -)');
      await say(beta.sandboxBot, 'hello', 'Beta: hello (before: -)');
      expect(
        host
          .hosted()
          .map((bot) => bot.name)
          .sort(),
      ).toEqual(['Alpha', 'Beta']);
      expect(echo.commandsRegistered.sort()).toEqual([alpha.botId, beta.botId].sort());
    });

    it('asks Telegram for the updates it handles, the opt-in `subscription` included', () => {
      const polls = sandbox.apiCalls(alpha.sandboxBot, 'getUpdates');
      expect(polls.length).toBeGreaterThan(0);
      expect(JSON.parse(polls.at(-1)!.params.allowed_updates!)).toEqual(['message', 'callback_query', 'pre_checkout_query', 'my_chat_member', 'subscription']);
    });

    it('gives each update the tenant and its own correlation id', () => {
      const records = echo.handled(alpha.botId);
      expect(records.length).toBeGreaterThan(0);
      const ids = echo.seen.map((record) => record.correlationId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('keeps a session per bot and chat: the same chat id in two bots shares nothing', async () => {
      expect(sandbox.chat(alice, alpha.sandboxBot).chatId).toBe(sandbox.chat(alice, beta.sandboxBot).chatId);
      await say(alpha.sandboxBot, 'second', 'Alpha: second (before: hello)');
      await say(beta.sandboxBot, 'again', 'Beta: again (before: hello)');
      await say(alpha.sandboxBot, 'third', 'Alpha: third (before: second)');
    });

    it("hands a failing update to the bot's error handler, and the bot keeps serving", async () => {
      await say(alpha.sandboxBot, 'boom', 'sorry, something went wrong');
      expect(echo.errors.at(-1)?.ctx.tenant.botId).toBe(alpha.botId);
      await say(alpha.sandboxBot, 'still there?', 'Alpha: still there? (before: third)');
    });

    it('exposes the Api of a hosted bot for outbound sends, and nothing for an unknown one', async () => {
      const api = host.apiFor(beta.botId);
      expect(api).toBeDefined();
      expect((await api!.getMe()).username).toBe('beta_bot');
      expect(host.apiFor(randomUUID())).toBeUndefined();
    });
  });

  describe('when the registry changes while the host runs', () => {
    it('starts a newly registered bot on refresh(botId) and answers within seconds', async () => {
      const gamma = registerBot('Gamma', 'gamma_bot');
      const startedAt = Date.now();
      expect(await host.refresh(gamma.botId)).toBe('started');
      await say(gamma.sandboxBot, 'hi', 'Gamma: hi (before: -)');
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    });

    it("runs a bot started from a consumer's transaction outside that transaction's async context", async () => {
      // A refresh comes from the bot-registry consumer, inside its transaction. MikroORM keeps that
      // transaction in async-local storage, so a polling loop started there would hand it to every
      // update it handles, long after the commit ("Transaction is already committed").
      const omicron = registerBot('Omicron', 'omicron_bot');
      expect(await callerContext.run('consumer transaction', () => host.refresh(omicron.botId))).toBe('started');
      await say(omicron.sandboxBot, 'hi', 'Omicron: hi (before: -)');
      expect(echo.seen.filter((record) => record.botId === omicron.botId)).toEqual([expect.objectContaining({ text: 'hi', callerContext: undefined })]);
    });

    it('starts a newly registered bot on reconcile() alone', async () => {
      const delta = registerBot('Delta', 'delta_bot');
      const report = await host.reconcile();
      expect(report.changes.get(delta.botId)).toBe('started');
      expect([...report.changes.values()].filter((change) => change !== 'unchanged')).toEqual(['started']);
      await say(delta.sandboxBot, 'hi', 'Delta: hi (before: -)');
    });

    it('starts a bot once when the same event triggers two refreshes at the same time', async () => {
      const epsilon = registerBot('Epsilon', 'epsilon_bot');
      const changes = await Promise.all([host.refresh(epsilon.botId), host.refresh(epsilon.botId)]);
      expect(changes.sort()).toEqual(['started', 'unchanged']);
      expect(await host.refresh(epsilon.botId)).toBe('unchanged');
      expect(sandbox.apiCalls(epsilon.sandboxBot, 'getMe')).toHaveLength(1);
      await say(epsilon.sandboxBot, 'once', 'Epsilon: once (before: -)');
      expect(echo.handled(epsilon.botId)).toHaveLength(1);
    });

    it('stops answering a deactivated bot, leaving its updates with Telegram', async () => {
      const zeta = registerBot('Zeta', 'zeta_bot');
      await host.refresh(zeta.botId);
      await say(zeta.sandboxBot, 'before', 'Zeta: before (before: -)');

      registry.update(zeta.botId, { active: false });
      expect(await host.refresh(zeta.botId)).toBe('stopped');
      expect(host.apiFor(zeta.botId)).toBeUndefined();
      sandbox.chat(alice, zeta.sandboxBot).sendText('after');
      await sleep(700);
      expect(sandbox.pendingUpdates(zeta.sandboxBot).map((update) => update.message?.text)).toEqual(['after']);
      expect(echo.handled(zeta.botId).map((record) => record.text)).toEqual(['before']);

      registry.update(zeta.botId, { active: true });
      expect(await host.refresh(zeta.botId)).toBe('started');
      await sandbox.chat(alice, zeta.sandboxBot).waitForMessage((message) => message.text === 'Zeta: after (before: before)', { timeoutMs: 5_000 });
    });

    it('finishes the updates a bot is running before it stops', async () => {
      const kappa = registerBot('Kappa', 'kappa_bot');
      await host.refresh(kappa.botId);
      sandbox.chat(alice, kappa.sandboxBot).sendText('slow');
      await waitFor('the slow update to start', () => echo.handled(kappa.botId).length === 1);

      registry.update(kappa.botId, { active: false });
      expect(await host.refresh(kappa.botId)).toBe('stopped');
      expect(
        sandbox
          .chat(alice, kappa.sandboxBot)
          .botMessages()
          .map((message) => message.text),
      ).toEqual(['Kappa: slow (before: -)']);
      expect(await new MikroOrmSessionStorage(orm, kappa.botId).read(String(sandbox.chat(alice, kappa.sandboxBot).chatId))).toEqual({
        awaiting: { feature: 'echo', step: 'next', data: { last: 'slow' } },
      });
      expect(echo.errors.filter((error) => error.ctx.tenant.botId === kappa.botId)).toEqual([]);
    });

    it('stops a bot the registry no longer lists on reconcile()', async () => {
      const eta = registerBot('Eta', 'eta_bot');
      await host.refresh(eta.botId);
      registry.remove(eta.botId);
      expect((await host.reconcile()).changes.get(eta.botId)).toBe('stopped');
      expect(host.hosted().some((bot) => bot.botId === eta.botId)).toBe(false);
    });

    it('restarts a bot whose token version grew, and ignores a repeated or older version', async () => {
      const theta = registerBot('Theta', 'theta_bot');
      await host.refresh(theta.botId);
      const apiBefore = host.apiFor(theta.botId);

      registry.update(theta.botId, { tokenVersion: 2, name: 'Theta v2' });
      expect(await host.refresh(theta.botId)).toBe('restarted');
      expect(await host.refresh(theta.botId)).toBe('unchanged');
      expect(sandbox.apiCalls(theta.sandboxBot, 'getMe')).toHaveLength(2);
      expect(host.apiFor(theta.botId)).not.toBe(apiBefore);
      expect(host.hosted().find((bot) => bot.botId === theta.botId)?.tokenVersion).toBe(2);
      await say(theta.sandboxBot, 'rotated', 'Theta v2: rotated (before: -)');

      registry.update(theta.botId, { tokenVersion: 1 });
      expect(await host.refresh(theta.botId)).toBe('unchanged');
      expect(sandbox.apiCalls(theta.sandboxBot, 'getMe')).toHaveLength(2);
    });

    it('takes a renamed bot without a restart', async () => {
      const iota = registerBot('Iota', 'iota_bot');
      await host.refresh(iota.botId);
      registry.update(iota.botId, { name: 'Iota renamed' });
      expect(await host.refresh(iota.botId)).toBe('unchanged');
      await say(iota.sandboxBot, 'name?', 'Iota renamed: name? (before: -)');
      expect(sandbox.apiCalls(iota.sandboxBot, 'getMe')).toHaveLength(1);
    });
  });

  describe('when a bot cannot start', () => {
    it('logs it, keeps serving the others, and retries it on the next reconciliation', async () => {
      const healthy = registerBot('Healthy', 'healthy_bot');
      const revokedId = randomUUID();
      const revokedToken = '999999001:AArevokedrevokedrevokedrevokedrevoked';
      tokens.push(revokedToken);
      registry.put({ botId: revokedId, name: 'Revoked', token: revokedToken });

      const report = await host.reconcile();
      expect(report.changes.get(revokedId)).toBe('failed');
      expect(report.changes.get(healthy.botId)).toBe('started');
      expect(host.failed()).toEqual([{ botId: revokedId, reason: expect.stringContaining('401') }]);
      await say(healthy.sandboxBot, 'fine', 'Healthy: fine (before: -)');

      // The operator rotates the token to a working one: the next round picks the bot up.
      const fixed = sandbox.createBot({ username: 'revoked_fixed_bot' });
      tokens.push(fixed.token);
      registry.update(revokedId, { token: fixed.token, tokenVersion: 2 });
      expect((await host.reconcile()).changes.get(revokedId)).toBe('started');
      expect(host.failed()).toEqual([]);
      await say(fixed, 'back', 'Revoked: back (before: -)');
    });

    it('keeps hosting as it is when the registry cannot be asked', async () => {
      const before = host.hosted().length;
      registry.failWith = 'INTERNAL';
      try {
        const report = await host.reconcile();
        expect(report.fetched).toBe(false);
        await expect(host.refresh(randomUUID())).rejects.toMatchObject({ code: 'INTERNAL' });
      } finally {
        registry.failWith = undefined;
      }
      expect(host.hosted()).toHaveLength(before);
    });
  });

  it('started while the registry cannot be asked, asks again soon and hosts its bots once it answers', async () => {
    // A registry of its own: the first host must not poll the same bot.
    const lateRegistry = await BotRegistryStandIn.start();
    const lateBot = sandbox.createBot({ username: 'late_bot' });
    tokens.push(lateBot.token);
    const botId = randomUUID();
    lateRegistry.put({ botId, name: 'Late', token: lateBot.token });
    const second = new BotHost({
      credentials: new UsersClient(createRpcClient({ kind: 'in-process', broker: lateRegistry.broker })),
      sessions: (id) => new MikroOrmSessionStorage(orm, id),
      journal: new IncomingUpdateJournal(orm),
      behaviour: echo,
      apiRoot: sandbox.apiRoot,
      mode: 'polling',
      // No periodic round: only the retry after the failed first one can find the bot.
      reconcileIntervalMs: 0,
      logger,
    });
    lateRegistry.failWith = 'INTERNAL';
    try {
      expect((await second.start()).fetched).toBe(false);
      expect(second.hosted()).toEqual([]);
      lateRegistry.failWith = undefined;
      await waitFor('the late bot to be hosted after the retry', () => second.hosted().some((bot) => bot.botId === botId), { timeoutMs: 5_000 });
      await say(lateBot, 'made it', 'Late: made it (before: -)');
    } finally {
      await second.stopAll();
      await lateRegistry.close();
    }
  });

  it('never writes a token to the log', () => {
    expect(logger.lines.length).toBeGreaterThan(0);
    const text = logger.text();
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split(':')[1]);
    }
  });

  it('stops every bot on stopAll()', async () => {
    const hosted = host.hosted();
    expect(hosted.length).toBeGreaterThan(3);
    await host.stopAll();
    expect(host.hosted()).toEqual([]);
    expect(host.apiFor(hosted[0].botId)).toBeUndefined();
    expect(await host.refresh(hosted[0].botId)).toBe('unchanged');
  });
});
