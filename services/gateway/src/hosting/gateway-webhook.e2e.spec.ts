import { EmbeddedEventBus, type PublicEventMapper, type RunningProducer } from '@botplatform/bus';
import { BotActivatedSchema, BotDeactivatedSchema, BotRegisteredSchema, BotTokenRotatedSchema, timestampFromDate } from '@botplatform/contracts';
import { PostgresEventStore, createServiceOrm, eventStoreMigrations } from '@botplatform/event-store';
import { startService, type RunningService } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, freePort, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { BotHost } from './bot-host.js';
import { composeGatewayService, type GatewayServiceDefinition } from './compose-gateway-service.js';
import { BotRegistryStandIn } from './testing/bot-registry.stand-in.js';
import { CapturingLogger } from './testing/capturing-logger.js';
import { EchoBehaviour } from './testing/echo-behaviour.js';
import { SECRET_TOKEN_HEADER } from './telegram-webhook.controller.js';
import { webhookSecretToken } from './webhook-secret.js';

const SECRET_KEY = 'test-webhook-key-0123456789abcdef';

type RegistryEvent =
  | { type: 'BotRegistered'; data: { name: string; tokenVersion: number } }
  | { type: 'BotActivated'; data: Record<string, never> }
  | { type: 'BotDeactivated'; data: Record<string, never> }
  | { type: 'BotTokenRotated'; data: { tokenVersion: number } };

/** The public side of a stand-in users service: its stored bot events as the real contract's. */
const registryEvents: PublicEventMapper = (event) => {
  const botId = event.metadata.botId;
  const at = timestampFromDate(event.metadata.occurredAt);
  const { data } = event as unknown as RegistryEvent;
  switch (event.type) {
    case 'BotRegistered': {
      const { name, tokenVersion } = data as { name: string; tokenVersion: number };
      return { schema: BotRegisteredSchema, message: { botId, name, ownerTelegramUserId: 1n, tokenVersion, registeredAt: at } };
    }
    case 'BotActivated':
      return { schema: BotActivatedSchema, message: { botId, activatedAt: at } };
    case 'BotDeactivated':
      return { schema: BotDeactivatedSchema, message: { botId, deactivatedAt: at } };
    case 'BotTokenRotated':
      return { schema: BotTokenRotatedSchema, message: { botId, tokenVersion: (data as { tokenVersion: number }).tokenVersion, rotatedAt: at } };
    default:
      return null;
  }
};

describe('The gateway service in webhook mode', () => {
  let database: TestDatabase;
  let sandbox: TelegramSandbox;
  let registry: BotRegistryStandIn;
  let bus: EmbeddedEventBus;
  let usersOrm: MikroORM;
  let usersStore: PostgresEventStore;
  let usersProducer: RunningProducer;
  let definition: GatewayServiceDefinition;
  let service: RunningService;
  let host: BotHost;
  let echo: EchoBehaviour;
  let logger: CapturingLogger;
  let alice: SandboxUser;
  let publicUrl: string;
  let nextUpdateId = 900_000_000;

  const recordEvent = (botId: string, event: RegistryEvent) =>
    usersStore.append(`bot-${botId}`, 'any', [event], {
      botId,
      correlationId: randomUUID(),
      causationId: null,
      actor: { kind: 'system', id: 'test' },
      occurredAt: new Date(),
    });

  const addBot = (name: string, username: string) => {
    const sandboxBot = sandbox.createBot({ username });
    const botId = randomUUID();
    registry.put({ botId, name, token: sandboxBot.token });
    return { botId, sandboxBot };
  };

  /** Posts to `botId`'s webhook as Telegram would; `secret: null` sends no secret header. */
  const post = (botId: string, body: string | object, secret: string | null = webhookSecretToken(SECRET_KEY, botId, 1)) =>
    fetch(`${publicUrl}/telegram/${botId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret === null ? {} : { [SECRET_TOKEN_HEADER]: secret }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** A text message from Alice to `bot`, as an update. */
  const textUpdate = (bot: SandboxBot, text: string) => {
    const chatId = sandbox.chat(alice, bot).chatId;
    return {
      update_id: nextUpdateId++,
      message: {
        message_id: nextUpdateId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: 'Alice' },
        from: alice.user,
        text,
      },
    };
  };

  const say = async (bot: SandboxBot, text: string, expected: string) => {
    const chat = sandbox.chat(alice, bot);
    chat.sendText(text);
    return chat.waitForMessage((message) => message.text === expected, { timeoutMs: 5_000 });
  };

  let alpha: { botId: string; sandboxBot: SandboxBot };
  let beta: { botId: string; sandboxBot: SandboxBot };

  beforeAll(async () => {
    database = await createTestDatabase('bp_gw_webhook');
    sandbox = new TelegramSandbox({ rateLimits: false, webhook: { initialRetryDelayMs: 50, maxRetryDelayMs: 200 } });
    await sandbox.start();
    registry = await BotRegistryStandIn.start();
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    usersOrm = await createServiceOrm({ clientUrl: database.url, schema: 'users', migrations: eventStoreMigrations });
    usersStore = new PostgresEventStore(usersOrm.em, { schema: 'users' });
    usersProducer = await bus.publishFrom({ service: 'users', store: usersStore, toPublic: registryEvents });
    alice = sandbox.createUser({ firstName: 'Alice', languageCode: 'en' });
    alpha = addBot('Alpha', 'alpha_hook_bot');
    beta = addBot('Beta', 'beta_hook_bot');

    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    echo = new EchoBehaviour();
    logger = new CapturingLogger();
    definition = composeGatewayService(
      {
        telegramApiRoot: sandbox.apiRoot,
        mode: 'webhook',
        webhook: { publicUrl, secretKey: SECRET_KEY },
        reconcileIntervalMs: 0,
        webhookAnswerTimeoutMs: 150,
        logger,
      },
      { behaviour: () => echo },
    );
    service = await startService(definition, {
      databaseUrl: database.url,
      bus,
      rpc: { kind: 'in-process', broker: registry.broker },
      httpPort: port,
      logger: false,
    });
    host = definition.host!;
    await host.ready();
  });

  afterAll(async () => {
    await service?.close();
    await usersProducer?.stop();
    await bus?.close();
    await registry?.close();
    await sandbox?.stop();
    await usersOrm?.close(true);
    await database?.drop();
  });

  describe('with its bots set up at start', () => {
    it("registers each bot's webhook at its own path", () => {
      expect(sandbox.webhookInfo(alpha.sandboxBot).url).toBe(`${publicUrl}/telegram/${alpha.botId}`);
      expect(sandbox.webhookInfo(beta.sandboxBot).url).toBe(`${publicUrl}/telegram/${beta.botId}`);
      expect(
        host
          .hosted()
          .map((bot) => bot.name)
          .sort(),
      ).toEqual(['Alpha', 'Beta']);
    });

    it('serves what Telegram posts, each bot as itself', async () => {
      await say(alpha.sandboxBot, 'hello', 'Alpha: hello (before: -)');
      await say(beta.sandboxBot, 'hello', 'Beta: hello (before: -)');
    });

    it('refuses a wrong or missing secret with 401 and runs nothing', async () => {
      const seen = echo.seen.length;
      expect((await post(alpha.botId, textUpdate(alpha.sandboxBot, 'forged'), 'wrong-secret')).status).toBe(401);
      expect((await post(alpha.botId, textUpdate(alpha.sandboxBot, 'forged'), null)).status).toBe(401);
      expect((await post(alpha.botId, textUpdate(alpha.sandboxBot, 'forged'), '')).status).toBe(401);
      expect((await post(alpha.botId, textUpdate(alpha.sandboxBot, 'forged'), webhookSecretToken(SECRET_KEY, beta.botId, 1))).status).toBe(401);
      expect((await post(alpha.botId, 'not json', 'wrong-secret')).status).toBe(401);
      await sleep(100);
      expect(echo.seen.length).toBe(seen);
    });

    it('answers 404 for a bot it does not host', async () => {
      const stranger = randomUUID();
      expect((await post(stranger, textUpdate(alpha.sandboxBot, 'who?'), webhookSecretToken(SECRET_KEY, stranger, 1))).status).toBe(404);
    });

    it('answers a malformed body with 200, does nothing, logs one warning, and serves the next update', async () => {
      const seen = echo.seen.length;
      const warnings = () => logger.lines.filter((line) => line.level === 'warn' && line.message.includes('malformed webhook update')).length;
      const before = warnings();
      const bodies = [
        '{"update_id": 1, "message": {',
        '[]',
        '"text"',
        '{"message": {}}',
        '{"update_id": "7"}',
        '{"update_id": 1.5}',
        '{"update_id": 9007199254740993}',
        '',
      ];
      for (const body of bodies) {
        const response = await post(alpha.botId, body);
        expect({ body, status: response.status }).toEqual({ body, status: 200 });
      }
      expect(warnings() - before).toBe(bodies.length);
      expect(echo.seen.length).toBe(seen);

      const good = await post(alpha.botId, textUpdate(alpha.sandboxBot, 'after the junk'));
      expect(good.status).toBe(200);
      await sandbox.chat(alice, alpha.sandboxBot).waitForMessage((message) => message.text === 'Alpha: after the junk (before: hello)', { timeoutMs: 5_000 });
    });

    it('answers within its bound while a slow update goes on', async () => {
      const startedAt = Date.now();
      const response = await post(beta.botId, textUpdate(beta.sandboxBot, 'slow'));
      expect(response.status).toBe(200);
      expect(Date.now() - startedAt).toBeLessThan(290);
      await sandbox.chat(alice, beta.sandboxBot).waitForMessage((message) => message.text === 'Beta: slow (before: hello)', { timeoutMs: 5_000 });
    });

    it('handles an update Telegram posts twice only once', async () => {
      const update = textUpdate(beta.sandboxBot, 'twice');
      expect((await post(beta.botId, update)).status).toBe(200);
      expect((await post(beta.botId, update)).status).toBe(200);
      const chat = sandbox.chat(alice, beta.sandboxBot);
      await chat.waitForMessage((message) => message.text === 'Beta: twice (before: slow)', { timeoutMs: 5_000 });
      await sleep(300);
      expect(chat.botMessages().filter((message) => message.text?.startsWith('Beta: twice'))).toHaveLength(1);
    });

    it('answers 503 while it cannot record an update, so Telegram sends it again, and handles it then', async () => {
      const connection = service.dependencies.orm.em.getConnection();
      const update = textUpdate(beta.sandboxBot, 'unrecorded at first');
      await connection.execute('ALTER TABLE gateway.gateway_incoming_updates RENAME TO gateway_incoming_updates_away');
      try {
        expect((await post(beta.botId, update)).status).toBe(503);
      } finally {
        await connection.execute('ALTER TABLE gateway.gateway_incoming_updates_away RENAME TO gateway_incoming_updates');
      }
      expect(echo.seen.some((record) => record.text === 'unrecorded at first')).toBe(false);
      expect((await post(beta.botId, update)).status).toBe(200);
      await sandbox
        .chat(alice, beta.sandboxBot)
        .waitForMessage((message) => message.text === 'Beta: unrecorded at first (before: twice)', { timeoutMs: 5_000 });
    });

    it("hands a failing update to the bot's error handler and answers 200", async () => {
      expect((await post(alpha.botId, textUpdate(alpha.sandboxBot, 'boom'))).status).toBe(200);
      await sandbox.chat(alice, alpha.sandboxBot).waitForMessage((message) => message.text === 'sorry, something went wrong', { timeoutMs: 5_000 });
    });
  });

  describe("on the users service's bot events", () => {
    it('serves a bot registered at runtime within seconds', async () => {
      const gamma = addBot('Gamma', 'gamma_hook_bot');
      const startedAt = Date.now();
      await recordEvent(gamma.botId, { type: 'BotRegistered', data: { name: 'Gamma', tokenVersion: 1 } });
      await waitFor('gamma to be hosted', () => host.hosted().some((bot) => bot.botId === gamma.botId), { timeoutMs: 5_000 });
      await say(gamma.sandboxBot, 'hi', 'Gamma: hi (before: -)');
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    });

    it('changes nothing when the same change is announced twice', async () => {
      const delta = addBot('Delta', 'delta_hook_bot');
      await recordEvent(delta.botId, { type: 'BotActivated', data: {} });
      await recordEvent(delta.botId, { type: 'BotActivated', data: {} });
      await waitFor('delta to be hosted', () => host.hosted().some((bot) => bot.botId === delta.botId), { timeoutMs: 5_000 });
      await sleep(300);
      const setWebhook = sandbox.apiCalls(delta.sandboxBot, 'setWebhook');
      expect(setWebhook).toHaveLength(1);
      expect(JSON.parse(setWebhook[0]!.params.allowed_updates!)).toContain('subscription');
      await say(delta.sandboxBot, 'once', 'Delta: once (before: -)');
      expect(echo.handled(delta.botId)).toHaveLength(1);
    });

    it('stops a deactivated bot: its webhook is removed and its route answers 404', async () => {
      const epsilon = addBot('Epsilon', 'epsilon_hook_bot');
      await host.refresh(epsilon.botId);
      registry.update(epsilon.botId, { active: false });
      await recordEvent(epsilon.botId, { type: 'BotDeactivated', data: {} });
      await waitFor('epsilon to stop', () => !host.hosted().some((bot) => bot.botId === epsilon.botId), { timeoutMs: 5_000 });
      await waitFor("epsilon's webhook to be removed", () => sandbox.webhookInfo(epsilon.sandboxBot).url === '', { timeoutMs: 5_000 });
      expect((await post(epsilon.botId, textUpdate(epsilon.sandboxBot, 'anyone?'))).status).toBe(404);
    });

    it('restarts a re-tokened bot with a new secret: the old one is refused from then on', async () => {
      const zeta = addBot('Zeta', 'zeta_hook_bot');
      await host.refresh(zeta.botId);
      await say(zeta.sandboxBot, 'v1', 'Zeta: v1 (before: -)');

      registry.update(zeta.botId, { tokenVersion: 2 });
      await recordEvent(zeta.botId, { type: 'BotTokenRotated', data: { tokenVersion: 2 } });
      await waitFor('zeta to run on version 2', () => host.hosted().find((bot) => bot.botId === zeta.botId)?.tokenVersion === 2, { timeoutMs: 5_000 });

      expect((await post(zeta.botId, textUpdate(zeta.sandboxBot, 'old secret'), webhookSecretToken(SECRET_KEY, zeta.botId, 1))).status).toBe(401);
      expect((await post(zeta.botId, textUpdate(zeta.sandboxBot, 'new secret'), webhookSecretToken(SECRET_KEY, zeta.botId, 2))).status).toBe(200);
      await sandbox.chat(alice, zeta.sandboxBot).waitForMessage((message) => message.text === 'Zeta: new secret (before: v1)', { timeoutMs: 5_000 });
      await say(zeta.sandboxBot, 'via Telegram', 'Zeta: via Telegram (before: new secret)');
    });
  });

  it('stops every bot when the service closes, and never logged a token', async () => {
    const hosted = host.hosted();
    expect(hosted.length).toBeGreaterThanOrEqual(4);
    await service.close();
    expect(host.hosted()).toEqual([]);
    const text = logger.text();
    for (const bot of [alpha, beta]) expect(text).not.toContain(bot.sandboxBot.token.split(':')[1]);
    service = undefined as unknown as RunningService;
  });
});
