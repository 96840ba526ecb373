import { natsPasswordVariableOf, type NatsCredentials } from '@botplatform/bus';
import { NatsServerProcess } from '@botplatform/testing';
import { randomBytes } from 'node:crypto';
import { platformNatsUsers, renderPlatformNatsConfig } from '../platform-nats-access.js';

/** A private broker with the platform's users and permissions, each user with a fresh password. */
export interface PlatformNats {
  readonly url: string;
  readonly server: NatsServerProcess;
  credentialsOf(user: string): NatsCredentials;
  dispose(): Promise<void>;
}

/** Starts nats-server with the platform's configuration as deployed, for the streams of `namespace`. */
export async function startPlatformNats(namespace = ''): Promise<PlatformNats> {
  // A letter first: nats-server parses the variable as a configuration value, and would read digits as a number.
  const passwords = new Map(platformNatsUsers.map((user) => [user, `p${randomBytes(18).toString('hex')}`]));
  const server = await NatsServerProcess.start({
    config: renderPlatformNatsConfig(namespace),
    env: Object.fromEntries([...passwords].map(([user, password]) => [natsPasswordVariableOf(user), password])),
  });
  return {
    url: server.url,
    server,
    credentialsOf: (user) => {
      const pass = passwords.get(user);
      if (!pass) throw new Error(`no broker user ${user} in platform-nats-access.ts`);
      return { user, pass };
    },
    dispose: () => server.dispose(),
  };
}
