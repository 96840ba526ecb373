import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import type { RegisterUserReplyJson, RegisterUserRequestJson } from '@botplatform/contracts';
import { NotificationRecipient } from '@botplatform/notifications';
import { createRpcClient } from '@botplatform/service-kit';
import { freePort, waitFor } from '@botplatform/testing';
import { REGISTER_USER } from '@botplatform/users';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { startPlatform } from './platform.js';

const BOT = '44444444-4444-4444-8444-444444444444';

/** What `npm start` runs: every service on embedded PostgreSQL, the embedded bus and in-process RPC. */
async function bootEmbedded(dataDir: string, port: number) {
  const database = await startEmbeddedPostgres(dataDir, port);
  const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
  const rpc = { kind: 'in-process', broker: new InProcessBroker() } as const;
  const platform = await startPlatform({ databaseUrl: database.url, bus, rpc, firstHttpPort: 0, logger: false });
  const client = createRpcClient(rpc);
  return {
    platform,
    register: (request: RegisterUserRequestJson) => client.call<RegisterUserRequestJson, RegisterUserReplyJson>(REGISTER_USER, request),
    recipients: () => platform.services.get('notifications')!.dependencies.orm.em.fork().find(NotificationRecipient, { botId: BOT }),
    stop: async () => {
      await platform.close();
      await bus.close();
      await database.stop();
    },
  };
}

describe('The platform on embedded defaults', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bp-embedded-'));
    // Run as root, PostgreSQL runs as the `postgres` OS user, which must be able to enter the folder.
    await chmod(dataDir, 0o755);
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs on a fresh embedded PostgreSQL and keeps its data across a restart', async () => {
    const port = await freePort();
    const first = await bootEmbedded(join(dataDir, 'postgres'), port);
    try {
      expect(await first.register({ botId: BOT, telegramUserId: '9000001', firstName: 'Ann' })).toMatchObject({ membershipCreated: true });
      await waitFor('the recipient row', async () => (await first.recipients()).length === 1);
      for (const service of first.platform.services.values()) expect((await fetch(`${service.url}/health`)).status).toBe(200);
    } finally {
      await first.stop();
    }

    const second = await bootEmbedded(join(dataDir, 'postgres'), port);
    try {
      expect(await second.register({ botId: BOT, telegramUserId: '9000001', firstName: 'Ann' })).toMatchObject({ alreadyRegistered: true });
      await second.register({ botId: BOT, telegramUserId: '9000002', firstName: 'Bob' });
      const rows = await waitFor('both recipients', async () => {
        const found = await second.recipients();
        return found.length === 2 ? found : false;
      });
      expect(rows.map((r) => r.firstName).sort()).toEqual(['Ann', 'Bob']);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
