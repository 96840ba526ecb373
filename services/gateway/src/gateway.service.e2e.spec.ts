import { EmbeddedEventBus } from '@botplatform/bus';
import { runSql } from '@botplatform/event-store';
import { startService, type RunningService } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot } from '@botplatform/telegram-sandbox';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { gatewayService } from './gateway.service.js';
import type { GatewayServiceDefinition } from './hosting/compose-gateway-service.js';
import { BotRegistryStandIn } from './hosting/testing/bot-registry.stand-in.js';
import { CapturingLogger } from './hosting/testing/capturing-logger.js';

/** The production wiring: the real pipeline and outbound consumer around the host, started like the platform starts it. */
describe('gatewayService', () => {
  let database: TestDatabase;
  let sandbox: TelegramSandbox;
  let registry: BotRegistryStandIn;
  let bus: EmbeddedEventBus;
  let definition: GatewayServiceDefinition;
  let service: RunningService;
  let bot: SandboxBot;
  const botId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase('bp_gw_service');
    sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    registry = await BotRegistryStandIn.start();
    bot = sandbox.createBot({ username: 'wired_bot' });
    registry.put({ botId, name: 'Wired', token: bot.token });
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    definition = gatewayService({ telegramApiRoot: sandbox.apiRoot, mode: 'polling', reconcileIntervalMs: 0, logger: new CapturingLogger() });
    service = await startService(definition, {
      databaseUrl: database.url,
      bus,
      rpc: { kind: 'in-process', broker: registry.broker },
      httpPort: 0,
      logger: false,
    });
    await definition.host!.ready();
  });

  afterAll(async () => {
    await service?.close();
    await bus?.close();
    await registry?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  it("is the 'gateway' service in its own schema, with its sessions and outbound tables", async () => {
    expect(definition).toMatchObject({ name: 'gateway', schema: 'gateway' });
    const executed = (await service.dependencies.orm.migrator.getExecuted()).map((migration) => migration.name);
    expect(executed).toEqual(expect.arrayContaining(['Migration20261124000500_gateway_sessions', 'Migration20261124000600_gateway_outbound_deliveries']));
    const [row] = await runSql<{ sessions: string | null }>(service.dependencies.orm.em, "SELECT to_regclass('gateway.gateway_sessions')::text AS sessions");
    expect(row.sessions).toBe('gateway.gateway_sessions');
  });

  it('consumes the bot registry, member and outbound events', () => {
    expect(definition.consumers!(service.dependencies).map((consumer) => consumer.name)).toEqual([
      'gateway--bot-registry',
      'gateway--member-cache',
      'gateway--bot-config',
      'gateway--outbound',
    ]);
    expect(definition.toPublic).toBeDefined();
  });

  it("hosts the registry's bot with the real pipeline: commands registered, updates answered", async () => {
    expect(definition.host!.hosted()).toEqual([{ botId, name: 'Wired', tokenVersion: 1 }]);
    expect(sandbox.apiCalls(bot, 'setMyCommands').length).toBeGreaterThanOrEqual(2);
    expect(definition.host!.apiFor(botId)).toBeDefined();
    // The stand-in serves no member requests, so the pipeline's error boundary is what answers.
    const chat = sandbox.chat(sandbox.createUser({ firstName: 'Wanda', languageCode: 'en' }), bot);
    chat.sendCommand('start');
    await chat.waitForMessage(() => true, { timeoutMs: 5_000 });
  });
});
