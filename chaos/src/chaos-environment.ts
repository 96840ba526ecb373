import { RpcClient, natsAuthOptions } from '@botplatform/bus';
import { startPlatformNats, type PlatformNats } from '@botplatform/platform';
import type { RegisterBotReplyJson } from '@botplatform/contracts';
import { TelegramSandbox, type SandboxBot, type SandboxUser } from '@botplatform/telegram-sandbox';
import { freePort, sleep, waitFor } from '@botplatform/testing';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createDatabase, dropDatabase, type ServiceDatabase } from './postgres.js';
import { isGreetingOf } from './start-load.js';
import { SERVICE_NAMES, ServiceProcess, type ServiceName, type UnexpectedExit } from './service-process.js';

export interface EnvironmentOptions {
  readonly repoRoot: string;
  /** This environment's folder for the services' logs. */
  readonly logDir: string;
  /** How long a crashed service stays down before the suite, as its supervisor, starts it again. */
  readonly supervisorRestartDelayMs: number;
  readonly log: (line: string) => void;
}

/** The bot every scenario talks to, registered through the users service's admin API. */
export interface ChaosBot {
  readonly sandbox: SandboxBot;
  readonly botId: string;
  /** Its name in the registry, which the `/start` greeting says. */
  readonly name: string;
  readonly owner: SandboxUser;
  /** The bot's own admin API token (its plans, its members), from the registration's answer. */
  readonly apiToken: string;
}

export type RssSnapshot = Partial<Record<ServiceName, number>>;

const BOOT_TIMEOUT_MS = 90_000;

/**
 * One scenario's world: a database per service, a private broker, the Telegram sandbox in this
 * process, every built service as a child process, and one bot registered and answering.
 * Scenarios get a fresh one each, so one scenario's damage never shows up in another's figures.
 */
export class ChaosEnvironment {
  readonly unexpectedExits: UnexpectedExit[] = [];
  private disposed = false;
  private harnessRpc: RpcClient | undefined;

  private constructor(
    private readonly options: EnvironmentOptions,
    readonly databases: ReadonlyMap<ServiceName, ServiceDatabase>,
    /** The broker as deployed: the platform's users and permissions, each service logging in as itself. */
    readonly broker: PlatformNats,
    readonly sandbox: TelegramSandbox,
    readonly services: ReadonlyMap<ServiceName, ServiceProcess>,
    private readonly operatorToken: string,
    private botRef: ChaosBot | undefined,
  ) {}

  get bot(): ChaosBot {
    if (!this.botRef) throw new Error('no bot registered yet');
    return this.botRef;
  }

  service(name: ServiceName): ServiceProcess {
    return this.services.get(name)!;
  }

  database(name: ServiceName): ServiceDatabase {
    return this.databases.get(name)!;
  }

  /**
   * Builds the world step by step; whatever was made before a failing step is handed to `track` first,
   * so the caller's clean-up removes it even when the start fails half-way.
   */
  static async start(label: string, options: EnvironmentOptions, track: (environment: ChaosEnvironment) => void): Promise<ChaosEnvironment> {
    await mkdir(options.logDir, { recursive: true });
    const databases = new Map<ServiceName, ServiceDatabase>();
    const services = new Map<ServiceName, ServiceProcess>();
    const sandbox = new TelegramSandbox();
    const operatorToken = `chaos-operator-${randomBytes(16).toString('hex')}`;
    let environment: ChaosEnvironment | undefined;
    const broker = await startPlatformNats();
    try {
      await sandbox.start();
      environment = new ChaosEnvironment(options, databases, broker, sandbox, services, operatorToken, undefined);
      track(environment);
      for (const name of SERVICE_NAMES) databases.set(name, await createDatabase(`chaos_${label}_${name}`));
      for (const name of SERVICE_NAMES) {
        const env: Record<string, string> = {
          DATABASE_URL: databases.get(name)!.url,
          NATS_URL: broker.url,
          HTTP_PORT: String(await freePort()),
          HTTP_HOST: '127.0.0.1',
          NATS_USER: broker.credentialsOf(name).user,
          NATS_PASSWORD: broker.credentialsOf(name).pass,
          ...serviceEnv(name, { operatorToken, telegramApiRoot: sandbox.apiRoot }),
        };
        const exitHandler = (exit: UnexpectedExit) => environment!.onUnexpectedExit(exit);
        services.set(name, new ServiceProcess(name, options.repoRoot, env, Number(env.HTTP_PORT), join(options.logDir, `${name}.log`), exitHandler));
      }
      for (const service of services.values()) service.start();
      await environment.waitAllHealthy(BOOT_TIMEOUT_MS);
      await environment.registerBot();
      return environment;
    } catch (error) {
      if (!environment) {
        await sandbox.stop().catch(() => undefined);
        await broker.dispose().catch(() => undefined);
      }
      throw error;
    }
  }

  /** Resolves with the time it took once every service answers /health with 200. */
  async waitAllHealthy(timeoutMs: number): Promise<number> {
    const started = Date.now();
    await waitFor(
      `every service's /health to answer 200 (logs in ${this.options.logDir})`,
      async () => (await Promise.all([...this.services.values()].map((s) => s.healthy()))).every(Boolean),
      { timeoutMs, intervalMs: 200 },
    );
    return Date.now() - started;
  }

  async rss(): Promise<RssSnapshot> {
    const snapshot: RssSnapshot = {};
    for (const [name, service] of this.services) {
      const mb = await service.rssMb();
      if (mb !== undefined) snapshot[name] = mb;
    }
    return snapshot;
  }

  /** The suite's own request/reply client, logged in as the operator's tool (it asks for outbound messages). */
  rpc(): RpcClient {
    this.harnessRpc ??= new RpcClient(
      ClientProxyFactory.create({
        transport: Transport.NATS,
        options: { servers: this.broker.url, ...natsAuthOptions(this.broker.credentialsOf('operator')) },
      }),
      10_000,
    );
    return this.harnessRpc;
  }

  /** Stops everything and drops the databases; each step is tried even if an earlier one fails. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const failures: string[] = [];
    const attempt = async (what: string, work: () => Promise<unknown> | unknown) => {
      try {
        await work();
      } catch (error) {
        failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await attempt('closing the harness RPC client', () => this.harnessRpc?.close());
    await Promise.all([...this.services.values()].map((service) => attempt(`stopping ${service.name}`, () => service.stop())));
    await attempt('stopping the sandbox', () => this.sandbox.stop());
    await attempt('removing the broker', () => this.broker.dispose());
    for (const database of this.databases.values()) await attempt(`dropping ${database.name}`, () => dropDatabase(database));
    if (failures.length) throw new Error(`clean-up failed: ${failures.join('; ')}`);
  }

  private onUnexpectedExit(exit: UnexpectedExit): void {
    if (this.disposed) return;
    this.unexpectedExits.push(exit);
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    this.options.log(`  ! ${exit.service} exited on its own (${how}); last lines of ${this.service(exit.service).logPath}:`);
    this.options.log(exit.logTail.replace(/^/gm, '    | '));
    // The supervisor's part: a crashed service comes back, as a pod would.
    setTimeout(() => {
      if (!this.disposed) this.service(exit.service).start();
    }, this.options.supervisorRestartDelayMs);
  }

  /**
   * The operator registers the bot over the admin API, with a token the sandbox knows; its owner's
   * `/start` answered proves the gateway hosts it before any load starts.
   */
  private async registerBot(): Promise<void> {
    const name = 'Chaos bot';
    const sandboxBot = this.sandbox.createBot({ username: 'chaos_bot', firstName: name });
    const owner = this.sandbox.createUser({ firstName: 'Owner', languageCode: 'en' });
    const response = await fetch(`http://127.0.0.1:${this.service('users').httpPort}/admin/bots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, token: sandboxBot.token, ownerTelegramUserId: String(owner.id) }),
    });
    if (response.status !== 201) throw new Error(`POST /admin/bots answered ${response.status}: ${await response.text()}`);
    const { botId, apiToken } = (await response.json()) as RegisterBotReplyJson;
    this.botRef = { sandbox: sandboxBot, botId: botId!, name, owner, apiToken: apiToken! };

    const chat = this.sandbox.chat(owner, sandboxBot);
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    // The gateway may not host the bot yet (it learns of it by event): an unanswered /start is sent again.
    for (;;) {
      chat.sendCommand('start');
      try {
        await chat.waitForMessage(isGreetingOf(name), { timeoutMs: 5_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the bot never answered its owner's /start (logs in ${this.options.logDir}): ${String(error)}`);
        await sleep(500);
      }
    }
  }
}

function serviceEnv(name: ServiceName, context: { operatorToken: string; telegramApiRoot: string }): Record<string, string> {
  switch (name) {
    case 'users':
      // Registration asks the same Bot API the gateway serves the bot from (getMe), here the sandbox.
      return {
        BOT_TOKEN_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
        OPERATOR_API_TOKEN: context.operatorToken,
        TELEGRAM_API_ROOT: context.telegramApiRoot,
      };
    case 'gateway':
      return { TELEGRAM_API_ROOT: context.telegramApiRoot, GATEWAY_MODE: 'polling' };
    case 'notifications':
    case 'subscriptions':
    case 'payments':
    case 'gamification':
      return {};
  }
}
