import { RPC, type RpcMethod } from '@botplatform/contracts';
import { natsPasswordVariableOf } from '@botplatform/bus';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformNatsAccess, platformNatsUsers } from './platform-nats-access.js';
import { NATS_CONFIG_FILES } from './write-nats-config.js';

// Jest runs from the repository root.
const read = (path: string) => readFileSync(join(process.cwd(), path), 'utf8');

describe("The broker's users and permissions", () => {
  it.each(Object.entries(NATS_CONFIG_FILES))('are committed as rendered in %s (`npm run nats:config` rewrites it)', (path, render) => {
    expect(read(path)).toBe(render());
  });

  it('give the bot tokens to the gateway alone, and registration to the operator alone', () => {
    const allowed = ({ subject }: RpcMethod) => platformNatsAccess.filter((access) => access.requests.includes(subject)).map((access) => access.user);
    expect(allowed(RPC.users.getBotCredentials)).toEqual(['gateway']);
    expect(allowed(RPC.users.registerBot)).toEqual(['operator']);
  });

  it('are wired into docker compose and the manifests for every user', () => {
    const compose = read('docker-compose.yml');
    const nats = read('deploy/k8s/nats.yaml');
    for (const user of platformNatsUsers) {
      expect(compose).toContain(`${natsPasswordVariableOf(user)}: *nats-${user}-password`);
      expect(nats).toContain(`- name: ${natsPasswordVariableOf(user)}`);
    }
    for (const { user } of platformNatsAccess.filter((access) => access.service)) {
      expect(compose).toContain(`NATS_USER: ${user}\n      NATS_PASSWORD: *nats-${user}-password`);
      expect(read(`deploy/k8s/${user}.yaml`)).toContain(`value: ${user}\n            - name: NATS_PASSWORD`);
    }
  });
});
