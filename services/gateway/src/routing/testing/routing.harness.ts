import type { BotFeatureRouter } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { createRpcClient, startService, type RpcTransport, type RunningService } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, NatsServerProcess, type TestDatabase } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { MembersStandIn } from '../../features/testing/members.stand-in.js';
import { gatewayService, type GatewayRuntimeConfig } from '../../gateway.service.js';
import type { GatewayServiceDefinition } from '../../hosting/compose-gateway-service.js';
import { CapturingLogger } from '../../hosting/testing/capturing-logger.js';
import { FeatureServiceStandIn } from './feature-service.stand-in.js';

/** How the services reach each other: the in-process broker (`npm start`) or NATS (distributed). */
export type RoutingMode = 'in-process' | 'nats';

export type RoutingHarnessOptions = Pick<GatewayRuntimeConfig, 'featureDeadlineMs' | 'preCheckoutDeadlineMs' | 'botConfigTtlMs'> & {
  readonly mode?: RoutingMode;
};

/**
 * The real gateway (`gatewayService` through `startService`, its own database) hosting one sandbox bot,
 * with the users service's stand-in and any number of feature services on one transport (the in-process
 * broker, or a private nats-server): what a deployment looks like to a member, with the services'
 * answers under the test's control.
 */
export class RoutingHarness {
  readonly logger = new CapturingLogger();
  readonly botId = randomUUID();
  readonly rpc: RpcClient;
  private readonly features: FeatureServiceStandIn[] = [];
  private gateway: { definition: GatewayServiceDefinition; service: RunningService } | undefined;

  private constructor(
    readonly database: TestDatabase,
    readonly sandbox: TelegramSandbox,
    readonly transport: RpcTransport,
    private readonly nats: NatsServerProcess | undefined,
    readonly users: MembersStandIn,
    readonly bus: EmbeddedEventBus,
    readonly bot: SandboxBot,
    readonly owner: SandboxUser,
    private readonly options: RoutingHarnessOptions,
  ) {
    this.rpc = createRpcClient(transport);
  }

  static async start(options: RoutingHarnessOptions = {}): Promise<RoutingHarness> {
    const database = await createTestDatabase('bp_gw_routing');
    const sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    const nats = options.mode === 'nats' ? await NatsServerProcess.start() : undefined;
    const transport: RpcTransport = nats ? { kind: 'nats', servers: nats.url } : { kind: 'in-process', broker: new InProcessBroker() };
    const users = await MembersStandIn.start(undefined, transport);
    const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const bot = sandbox.createBot({ username: `routed_${randomUUID().slice(0, 6)}_bot`, firstName: 'Routed' });
    const owner = sandbox.createUser({ firstName: 'Olga', languageCode: 'en' });
    const harness = new RoutingHarness(database, sandbox, transport, nats, users, bus, bot, owner, options);
    users.hostBot(harness.botId, 'Routed', bot.token, owner.id);
    await harness.startGateway();
    return harness;
  }

  get definition(): GatewayServiceDefinition {
    if (!this.gateway) throw new Error('the gateway is not running');
    return this.gateway.definition;
  }

  /** Starts the gateway on the harness's database and waits until it hosts the bot. */
  async startGateway(): Promise<void> {
    const definition = gatewayService({
      telegramApiRoot: this.sandbox.apiRoot,
      mode: 'polling',
      reconcileIntervalMs: 0,
      pollingTimeoutSeconds: 1,
      routingRefreshIntervalMs: 0,
      logger: this.logger,
      featureDeadlineMs: this.options.featureDeadlineMs,
      preCheckoutDeadlineMs: this.options.preCheckoutDeadlineMs,
      botConfigTtlMs: this.options.botConfigTtlMs,
    });
    const service = await startService(definition, {
      databaseUrl: this.database.url,
      bus: this.bus,
      rpc: this.transport,
      httpPort: 0,
      logger: this.logger,
    });
    this.gateway = { definition, service };
    await definition.host!.ready();
  }

  async stopGateway(): Promise<void> {
    await this.gateway?.service.close();
    this.gateway = undefined;
  }

  /** Serves a feature service's router on the broker (declare it with `declare()`). */
  async feature(router: BotFeatureRouter): Promise<FeatureServiceStandIn> {
    const feature = await FeatureServiceStandIn.serve(router, this.transport);
    this.features.push(feature);
    return feature;
  }

  chat(user: SandboxUser): SandboxChat {
    return this.sandbox.chat(user, this.bot);
  }

  user(firstName: string, languageCode = 'en'): SandboxUser {
    return this.sandbox.createUser({ firstName, languageCode });
  }

  /** Lines the gateway logged at `error`. */
  errors(): string[] {
    return this.logger.lines.filter((line) => line.level === 'error').map((line) => line.message);
  }

  async close(): Promise<void> {
    for (const feature of this.features.splice(0)) await feature.close();
    await this.stopGateway();
    await this.rpc.close();
    await this.bus.close();
    await this.users.close();
    await this.sandbox.stop();
    await this.database.drop();
    await this.nats?.dispose();
  }
}
