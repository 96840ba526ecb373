import type { EventBus } from '@botplatform/bus';
import type { RegisterBotReplyJson } from '@botplatform/contracts';
import type { RpcTransport } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxBot, type SandboxUser } from '@botplatform/telegram-sandbox';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { startPlatform, type PerService, type PlatformOptions, type RunningPlatform } from '../platform.js';

export const OPERATOR_TOKEN = 'platform-e2e-operator-token-0123456789ab';

/** The whole platform as `npm start` runs it, on a database of its own, with the sandbox as Telegram. */
export interface SandboxedPlatform {
  readonly database: TestDatabase;
  readonly sandbox: TelegramSandbox;
  readonly platform: RunningPlatform;
  /**
   * Registers a sandbox bot through the users service's admin API, as the operator does, owned by
   * `owner` (a new English-speaking user when absent), and waits until the gateway hosts it.
   */
  registerBot(bot: { readonly username: string; readonly name: string; readonly owner?: SandboxUser }): Promise<HostedBot>;
  /** Stops the platform, its transports and the sandbox, and drops the database (also after a failed start). */
  close(): Promise<void>;
}

/** A bot the platform hosts: the sandbox's side of it, its id and the owner's API token. */
export interface HostedBot {
  readonly sandbox: SandboxBot;
  readonly botId: string;
  readonly apiToken: string;
  readonly owner: SandboxUser;
}

export interface SandboxedPlatformOptions {
  /** Prefix of the database's name. */
  readonly prefix: string;
  /** How the services reach each other (a `PlatformWiring` of either mode); closed after the platform. */
  readonly transports: { readonly bus: PerService<EventBus>; readonly rpc: PerService<RpcTransport>; close(): Promise<void> };
  /** The gateway's settings besides the sandbox's address and polling (e.g. `incomingRateLimit: false`). */
  readonly telegram?: Partial<PlatformOptions['telegram']>;
}

/**
 * Starts the platform on the sandbox; every platform e2e that tests the bot as its members use it starts
 * here, so the wiring they share is written once.
 */
export async function startSandboxedPlatform(options: SandboxedPlatformOptions): Promise<SandboxedPlatform> {
  let database: TestDatabase | undefined;
  let platform: RunningPlatform | undefined;
  const sandbox = new TelegramSandbox({ rateLimits: false });
  const close = async () => {
    await platform?.close();
    await options.transports.close();
    await sandbox.stop();
    await database?.drop();
  };
  try {
    database = await createTestDatabase(options.prefix);
    await sandbox.start();
    platform = await startPlatform({
      databaseUrl: database.url,
      bus: options.transports.bus,
      rpc: options.transports.rpc,
      firstHttpPort: 0,
      logger: false,
      users: { operatorToken: OPERATOR_TOKEN },
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1, ...options.telegram },
    });
    const running = platform;
    const registerBot: SandboxedPlatform['registerBot'] = async ({ username, name, owner: given }) => {
      const hostedBefore = running.gateway.host?.hosted().length ?? 0;
      const sandboxBot = sandbox.createBot({ username, firstName: name });
      const owner = given ?? sandbox.createUser({ firstName: 'Owner', languageCode: 'en' });
      const response = await fetch(`${running.services.get('users')!.url}/admin/bots`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, token: sandboxBot.token, ownerTelegramUserId: String(owner.id) }),
      });
      if (response.status !== 201) throw new Error(`registering ${username} answered ${response.status}: ${await response.text()}`);
      const { botId, apiToken } = (await response.json()) as RegisterBotReplyJson;
      await waitFor(`the gateway to host ${username}`, () => (running.gateway.host?.hosted().length ?? 0) > hostedBefore, { timeoutMs: 15_000 });
      return { sandbox: sandboxBot, botId: botId!, apiToken: apiToken!, owner };
    };
    return { database, sandbox, platform, registerBot, close };
  } catch (error) {
    await close();
    throw error;
  }
}
