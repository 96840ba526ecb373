import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { RPC, type RegisterBotRequestJson, type RegisterUserRequestJson } from '@botplatform/contracts';
import { NotificationRecipient } from '@botplatform/notifications';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox } from '@botplatform/telegram-sandbox';
import { freePort, waitFor } from '@botplatform/testing';

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { startPlatform } from './platform.js';

const BOT_TOKEN = '7000000044:embedded-platform-test-token-000000';

/** What `npm start` runs: every service on embedded PostgreSQL, the embedded bus and in-process RPC. */
async function bootEmbedded(dataDir: string, port: number, sandbox: TelegramSandbox) {
  const database = await startEmbeddedPostgres(dataDir, port);
  const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
  const rpc = { kind: 'in-process', broker: new InProcessBroker() } as const;
  const platform = await startPlatform({
    databaseUrl: database.url,
    bus,
    rpc,
    firstHttpPort: 0,
    logger: false,
    telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', pollingTimeoutSeconds: 1 },
  });
  const client = createRpcClient(rpc);
  return {
    platform,
    registerBot: (request: RegisterBotRequestJson) => client.call(RPC.users.registerBot, request),
    register: (request: RegisterUserRequestJson) => client.call(RPC.users.registerUser, request),
    recipients: (botId: string) => platform.services.get('notifications')!.dependencies.orm.em.fork().find(NotificationRecipient, { botId }),
    stop: async () => {
      await client.close();
      await platform.close();
      await bus.close();
      await database.stop();
    },
  };
}

describe('The platform on embedded defaults', () => {
  let dataDir: string;
  const sandbox = new TelegramSandbox({ rateLimits: false });

  beforeAll(async () => {
    await sandbox.start();
    sandbox.createBot({ username: 'embedded_bot', token: BOT_TOKEN });
    dataDir = await mkdtemp(join(tmpdir(), 'bp-embedded-'));
    // Run as root, PostgreSQL runs as the `postgres` OS user, which must be able to enter the folder.
    await chmod(dataDir, 0o755);
  });

  afterAll(async () => {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs on a fresh embedded PostgreSQL and keeps its data across a restart', async () => {
    const port = await freePort();
    const first = await bootEmbedded(join(dataDir, 'postgres'), port, sandbox);
    let botId: string;
    try {
      botId = (await first.registerBot({ name: 'Embedded bot', token: BOT_TOKEN, ownerTelegramUserId: '9000001' })).botId!;
      expect(await first.register({ botId, telegramUserId: '9000001', firstName: 'Ann' })).toMatchObject({ membershipCreated: true });
      await waitFor('the recipient row', async () => (await first.recipients(botId)).length === 1);
      for (const service of first.platform.services.values()) expect((await fetch(`${service.url}/health`)).status).toBe(200);
    } finally {
      await first.stop();
    }

    const second = await bootEmbedded(join(dataDir, 'postgres'), port, sandbox);
    try {
      await expect(second.registerBot({ name: 'Embedded bot', token: BOT_TOKEN, ownerTelegramUserId: '9000001' })).rejects.toMatchObject({
        code: 'USERS.BOT_ALREADY_REGISTERED',
      });
      expect(await second.register({ botId, telegramUserId: '9000001', firstName: 'Ann' })).toMatchObject({ alreadyRegistered: true });
      await second.register({ botId, telegramUserId: '9000002', firstName: 'Bob' });
      const rows = await waitFor('both recipients', async () => {
        const found = await second.recipients(botId);
        return found.length === 2 ? found : false;
      });
      expect(rows.map((r) => r.firstName).sort()).toEqual(['Ann', 'Bob']);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
