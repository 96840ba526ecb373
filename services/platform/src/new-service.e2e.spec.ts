import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Jest runs from the repository root.
const repository = process.cwd();

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to its end without blocking the event loop, so Jest's timeout still applies. */
function run(command: string, args: readonly string[], cwd: string): Promise<Outcome> {
  // The inner Jest must not think it is one of this run's workers.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('JEST_')));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The repository as a newcomer has it: tracked and untracked files (not ignored ones such as dist/),
 * and node_modules as links into this one's, except the workspace links, which must point into the copy.
 */
async function copyRepository(to: string): Promise<void> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repository);
  for (const path of listed.output.split('\0').filter(Boolean)) {
    if (!existsSync(join(repository, path))) continue;
    mkdirSync(dirname(join(to, path)), { recursive: true });
    cpSync(join(repository, path), join(to, path));
  }
  mkdirSync(join(to, 'node_modules', '@botplatform'), { recursive: true });
  for (const entry of readdirSync(join(repository, 'node_modules'))) {
    if (entry !== '@botplatform') symlinkSync(join(repository, 'node_modules', entry), join(to, 'node_modules', entry));
  }
  for (const workspace of readdirSync(join(repository, 'node_modules', '@botplatform'))) {
    const target = readlinkSync(join(repository, 'node_modules', '@botplatform', workspace));
    symlinkSync(target, join(to, 'node_modules', '@botplatform', workspace));
  }
}

describe('npm run new:service', () => {
  let copy: string;
  const read = (path: string) => readFileSync(join(copy, path), 'utf8');

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'bp-new-service-'));
    await copyRepository(copy);
  });

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('refuses a name that is not one lower-case word, a reserved one and a taken one, writing nothing', async () => {
    for (const [name, reason] of [
      ['loyalty-points', 'is not a service name'],
      ['platform', 'is reserved'],
      ['users', 'is taken: services/users exists'],
    ]) {
      const refused = await run('npm', ['run', '--silent', 'new:service', '--', name, '--no-scripts'], copy);
      expect({ name, code: refused.code, said: refused.output.includes(reason) }).toEqual({ name, code: 1, said: true });
    }
    expect(existsSync(join(copy, 'services/loyalty-points'))).toBe(false);
  });

  it('stops before writing anything when a registry lacks its marker, and says where', async () => {
    const access = 'services/platform/src/platform-nats-access.ts';
    const original = read(access);
    writeFileSync(join(copy, access), original.replace('`npm run new:service` adds the user of each new service here', 'a comment someone rewrote'));
    try {
      const refused = await run('npm', ['run', '--silent', 'new:service', '--', 'demo', '--no-scripts'], copy);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(`${access}: cannot find the marker`);
      expect(existsSync(join(copy, 'services/demo'))).toBe(false);
      expect(read('nest-cli.json')).not.toContain('services/demo');
    } finally {
      writeFileSync(join(copy, access), original);
    }
  });

  it('writes a service that builds, passes its tests and is registered everywhere', async () => {
    const generated = await run('npm', ['run', 'new:service', '--', 'demo'], copy);
    expect({ code: generated.code, output: generated.code === 0 ? '' : generated.output }).toEqual({ code: 0, output: '' });

    // Registered in every list of services, and the broker's configuration rewritten for its user.
    expect(JSON.parse(read('nest-cli.json')).projects.demo).toMatchObject({ type: 'application', root: 'services/demo' });
    // After the services already there (whichever they are), before the gateway.
    expect(read('services/platform/src/platform.ts')).toMatch(/notificationsService,\n(\s+\w+Service,\n)*\s+demoService,\n.*\n\s+gateway,/);
    expect(read('docker-compose.yml')).toContain('NATS_USER: demo\n      NATS_PASSWORD: *nats-demo-password');
    expect(read('deploy/k8s/demo.yaml')).toContain('value: demo\n            - name: NATS_PASSWORD');
    expect(read('deploy/k8s/nats.yaml')).toContain('- name: BP_NATS_DEMO_PASSWORD');
    expect(read('deploy/nats/nats-server.conf')).toContain('user: "demo"');
    expect(read('deploy/k8s/nats-config.yaml')).toContain('user: "demo"');
    // Its RPC is declared in proto and named through the contracts, like every other.
    expect(read('libs/contracts/src/rpc-registry.ts')).toContain('demo: rpcMethodsOf(DemoRpc),');
    expect(read('services/demo/src/note/create-note.rpc-controller.ts')).toContain('@RpcHandler(RPC.demo.createNote)');
    expect(read('deploy/postgres-init.sql')).toContain('CREATE DATABASE demo;');
    expect(JSON.parse(read('package-lock.json')).packages['services/demo']).toMatchObject({ name: '@botplatform/demo' });
    expect(existsSync(join(copy, 'libs/contracts/src/gen/botplatform/demo/v1/notes_pb.ts'))).toBe(true);

    const built = await run('npm', ['run', 'build'], copy);
    expect({ code: built.code, output: built.code === 0 ? '' : built.output }).toEqual({ code: 0, output: '' });

    // Its own tests, and the specs that check the registries agree with each other.
    const tested = await run(
      process.execPath,
      [
        '--experimental-async-context-frame',
        '--experimental-vm-modules',
        'node_modules/jest/bin/jest.js',
        '--runInBand',
        'services/demo/',
        'services/platform/src/workspace-layout.spec.ts',
        'services/platform/src/platform-nats-access.spec.ts',
        'libs/contracts/src/event-registry.spec.ts',
      ],
      copy,
    );
    expect({ code: tested.code, output: tested.code === 0 ? '' : tested.output }).toEqual({ code: 0, output: '' });
    expect(tested.output).toMatch(/PASS (?:\w+ )?services\/demo\/src\/note\/note\.decider\.spec\.ts/);
    expect(tested.output).toMatch(/PASS (?:\w+ )?services\/demo\/src\/note\/create-note\.e2e\.spec\.ts/);

    const again = await run('npm', ['run', '--silent', 'new:service', '--', 'demo', '--no-scripts'], copy);
    expect(again.code).toBe(1);
    expect(again.output).toContain('"demo" is taken');
  }, 240_000);
});
