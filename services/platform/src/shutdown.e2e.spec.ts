import { freePort } from '@botplatform/testing';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `npm start` runs (after `npm run build`): the built entry point, not the sources. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const RUNS = 20;
/** pino's numeric levels: 40 warn, 50 error, 60 fatal. */
const WARN = 40;
const ERROR = 50;

interface LogLine {
  level: number;
  msg: string;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: LogLine[];
  /** Index in `lines` of the first line logged after the first signal. */
  signalledAt: number;
  stderr: string;
}

/**
 * Starts the platform as `npm start` does, waits for "botplatform is running", sends `signals` (one
 * every `gapMs`), and resolves with how it exited and everything it logged.
 */
function runOnce(env: NodeJS.ProcessEnv, signals: NodeJS.Signals[], gapMs = 0): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: LogLine[] = [];
    let stdout = '';
    let stderr = '';
    let signalledAt = -1;
    const giveUp = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 20 s; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 20_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const complete = stdout.split('\n');
      stdout = complete.pop()!;
      for (const text of complete) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        if (signalledAt < 0 && line.msg.startsWith('botplatform is running')) {
          signalledAt = lines.length;
          for (const [index, signal] of signals.entries()) setTimeout(() => child.kill(signal), index * gapMs);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(giveUp);
      if (signalledAt < 0) reject(new Error(`exited (${code ?? signal}) before it was running; stderr:\n${stderr}`));
      else resolvePromise({ code, signal, lines, signalledAt, stderr });
    });
  });
}

/** Processes whose command line names the data directory: the embedded PostgreSQL, if left behind. */
async function processesUsing(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(dataDir)) found.push(`${pid}: ${commandLine.replaceAll('\0', ' ')}`);
  }
  return found;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

describe('Stopping `npm start` (the built platform on embedded PostgreSQL)', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let databasePort: number;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the e2e tests`);
    home = await mkdtemp(join(tmpdir(), 'bp-shutdown-'));
    // Run as root, PostgreSQL runs as the `postgres` OS user, which must be able to enter the folder.
    await chmod(home, 0o755);
    databasePort = await freePort();
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_FORMAT: 'json',
      BOTPLATFORM_DATA_DIR: home,
      EMBEDDED_POSTGRES_PORT: String(databasePort),
      HTTP_PORT: '0',
      SANDBOX_PORT: '0',
      OPERATOR_API_TOKEN: 'shutdown-test-operator-token',
    };
  });

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function expectCleanStop(run: Run): Promise<void> {
    // Starting warns on purpose (no BOT_TOKEN_KEYS: the public development key); stopping has nothing to warn about.
    const complaints = run.lines.filter((line, index) => line.level >= ERROR || (index >= run.signalledAt && line.level >= WARN)).map((line) => line.msg);
    expect({ code: run.code, signal: run.signal, complaints, stderr: run.stderr }).toEqual({ code: 0, signal: null, complaints: [], stderr: '' });
    expect(run.lines.some((line) => line.msg === 'stopped')).toBe(true);
    expect(await processesUsing(join(home, 'postgres'))).toEqual([]);
    expect(await accepts(databasePort)).toBe(false);
  }

  // What is checked is how each run stops, not how fast: 20 starts of six services and an embedded
  // PostgreSQL take 4 to 5 s each on 2 cores, more on a loaded machine, so the bound is generous.
  it(`exits 0 after an ordered stop on SIGINT, ${RUNS} times in a row on the same data directory`, async () => {
    for (let run = 1; run <= RUNS; run++) {
      await expectCleanStop(await runOnce(env, ['SIGINT']));
    }
  }, 300_000);

  it('exits 0 on SIGTERM', async () => {
    await expectCleanStop(await runOnce(env, ['SIGTERM']));
  });

  it('finishes the ordered stop when a second signal comes during it (Ctrl+C pressed twice)', async () => {
    await expectCleanStop(await runOnce(env, ['SIGINT', 'SIGINT'], 5));
  });
});
