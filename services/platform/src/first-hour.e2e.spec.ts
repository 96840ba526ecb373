import { freePort } from '@botplatform/testing';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `npm start` runs (after `npm run build`): the built entry point, not the sources. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const OPERATOR_TOKEN = 'first-hour-operator-token-0123456789';
/** The sandbox users main.ts creates on a first start: the demo bot's owner, and a user. */
const OLGA = 7_100_001;
const ALEX = 7_100_002;
const START_TIMEOUT_MS = 40_000;
const ANSWER_TIMEOUT_MS = 15_000;

interface LogLine {
  level: number;
  msg: string;
}

/** One `npm start` run: the process, what it logged, and the addresses it printed. */
interface PlatformRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: LogLine[];
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `<service>` → its base URL, from the `<service>: <url>/health` lines. */
  readonly services: Map<string, string>;
  /** The sandbox's base URL (its web chat and control API), from the "chat with @demo_bot at" line. */
  readonly sandbox: string;
}

interface SandboxMessage {
  message: { message_id: number; text?: string; reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] } };
  fromBot: boolean;
}

interface Member {
  userId: string;
  telegramUserId: string;
  status: string;
  blockReason?: string;
}

/** Starts the built platform as `npm start` does and resolves once it says it is running. */
function startPlatformProcess(env: NodeJS.ProcessEnv): Promise<PlatformRun> {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let pending = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not running within ${START_TIMEOUT_MS} ms; log:\n${lines.map((l) => l.msg).join('\n')}\nstderr:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const text of complete) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        if (!line.msg.startsWith('botplatform is running')) continue;
        clearTimeout(giveUp);
        const services = new Map<string, string>();
        for (const { msg } of lines) {
          const service = /^(\w+): (http:\/\/[^ ]+)\/health$/.exec(msg);
          if (service) services.set(service[1], service[2]);
        }
        const sandbox = lines.map(({ msg }) => /^Telegram sandbox: chat with @demo_bot at (http:\/\/\S+?)\/?$/.exec(msg)?.[1]).find(Boolean);
        if (!sandbox) reject(new Error(`no sandbox address in the log:\n${lines.map((l) => l.msg).join('\n')}`));
        else resolve({ child, lines, stderr: () => stderr, exited, services, sandbox });
      }
    });
    child.on('error', reject);
    void exited.then(({ code, signal }) => {
      clearTimeout(giveUp);
      reject(new Error(`exited (${code ?? signal}) before it was running; log:\n${lines.map((l) => l.msg).join('\n')}\nstderr:\n${stderr}`));
    });
  });
}

async function json<T>(response: Promise<Response>, status: number): Promise<T> {
  const answer = await response;
  const text = await answer.text();
  if (answer.status !== status) throw new Error(`${answer.url} answered ${answer.status}, expected ${status}: ${text}`);
  return JSON.parse(text) as T;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = ANSWER_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * The newcomer's first hour (issue 15), as they lived it: `npm start` on a fresh data directory, a second
 * bot created in the sandbox and registered with the operator token, one sandbox user who starts both bots
 * (one identity, two memberships), blocked by the owner in one bot only through the admin menu, Ctrl-C,
 * `npm start` again on the same directory, and everything still there: both bots served, the chats and
 * their messages in the sandbox, the memberships and the block, /help answered in one bot and refused in
 * the other.
 */
describe('The first hour of a newcomer with `npm start`', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let run: PlatformRun | undefined;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the e2e tests`);
    home = await mkdtemp(join(tmpdir(), 'bp-first-hour-'));
    // Run as root, PostgreSQL runs as the `postgres` OS user, which must be able to enter the folder.
    await chmod(home, 0o755);
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_FORMAT: 'json',
      BOTPLATFORM_DATA_DIR: join(home, 'data'),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      SANDBOX_PORT: String(await freePort()),
      HTTP_PORT: '0',
      OPERATOR_API_TOKEN: OPERATOR_TOKEN,
    };
  });

  afterAll(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGINT');
      await run.exited;
    }
    await rm(home, { recursive: true, force: true });
  });

  it('keeps a second bot, one user in both, a block in one, and every chat across Ctrl-C', async () => {
    // --- First start, on an empty data directory.
    run = await startPlatformProcess(env);
    let current = run;
    const users = () => current.services.get('users')!;
    const operator = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
    const sandboxApi = <T>(path: string, body: object, status = 200) =>
      json<T>(
        fetch(`${current.sandbox}/sandbox/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        status,
      );
    const conversation = async (bot: number, chat: number) =>
      (await json<{ messages: SandboxMessage[] }>(fetch(`${current.sandbox}/sandbox/api/conversation?bot=${bot}&chat=${chat}`), 200)).messages;
    /** Sends `text` as `chat` to `bot` and waits for the bot's first message after it that `matches`. */
    const say = async (bot: number, chat: number, text: string, matches: (text: string) => boolean) => {
      const before = (await conversation(bot, chat)).length;
      await sandboxApi('/send', { bot, chat, text });
      return eventually(`@${bot} to answer "${text}" to ${chat}`, async () =>
        (await conversation(bot, chat)).slice(before + 1).find((m) => m.fromBot && matches(m.message.text ?? '')),
      );
    };
    /**
     * Presses the inline button of `message` whose callback data `pick` chooses, and waits for the bot's
     * next new message (`edit`: for `message` edited to a text that `edit` accepts instead).
     */
    const press = async (bot: number, chat: number, message: SandboxMessage, pick: (data: string) => boolean, edit?: (text: string) => boolean) => {
      const data = (message.message.reply_markup?.inline_keyboard ?? [])
        .flat()
        .find((button) => button.callback_data && pick(button.callback_data))?.callback_data;
      if (!data) throw new Error(`no such button under "${message.message.text}"`);
      const before = (await conversation(bot, chat)).length;
      await sandboxApi('/press', { bot, chat, messageId: message.message.message_id, data });
      return eventually(`@${bot} to answer the button ${data}`, async () => {
        const messages = await conversation(bot, chat);
        if (edit) return messages.find((m) => m.message.message_id === message.message.message_id && edit(m.message.text ?? ''));
        return messages.slice(before).find((m) => m.fromBot);
      });
    };
    const membersOf = async (botId: string) =>
      (await json<{ members?: Member[] }>(fetch(`${users()}/admin/bots/${botId}/members`, { headers: operator }), 200)).members ?? [];
    const alexIn = async (botId: string) => (await membersOf(botId)).find((m) => m.telegramUserId === String(ALEX));

    for (const [service, url] of run.services) {
      expect({ service, health: (await fetch(`${url}/health`)).status }).toEqual({ service, health: 200 });
    }
    expect([...run.services.keys()]).toEqual(expect.arrayContaining(['users', 'gateway']));
    const demo = (await json<{ bots: { id: number; username: string }[] }>(fetch(`${run.sandbox}/sandbox/api/state`), 200)).bots.find(
      (bot) => bot.username === 'demo_bot',
    )!;

    // A second bot, created in the sandbox and registered with the operator token (what `npm run bot:add` does).
    const second = await sandboxApi<{ id: number; username: string; token: string }>('/bots', { username: 'second_bot', firstName: 'Second bot' }, 201);
    expect(second.id).not.toBe(demo.id);
    const registered = await json<{ botId: string; apiToken: string }>(
      fetch(`${users()}/admin/bots`, {
        method: 'POST',
        headers: operator,
        body: JSON.stringify({ name: 'Second bot', token: second.token, ownerTelegramUserId: String(OLGA) }),
      }),
      201,
    );
    // A made-up token is refused before anything is stored: Telegram (here the sandbox) does not know it.
    const madeUp = await fetch(`${users()}/admin/bots`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({ name: 'Made up', token: '7999999999:made-up-token-that-botfather-never-gave', ownerTelegramUserId: String(OLGA) }),
    });
    expect({ status: madeUp.status, body: await madeUp.json() }).toMatchObject({ status: 422, body: { code: 'USERS.TELEGRAM_TOKEN_REJECTED' } });
    const { bots } = await json<{ bots: { botId: string; name: string; active: boolean }[] }>(fetch(`${users()}/admin/bots`, { headers: operator }), 200);
    expect(bots.map((bot) => [bot.name, bot.active])).toEqual([
      ['Demo bot', true],
      ['Second bot', true],
    ]);
    const demoBotId = bots[0].botId;
    const secondBotId = registered.botId;

    // One sandbox user starts both bots: one identity, a membership in each.
    await say(demo.id, ALEX, '/start', (text) => text.startsWith('Hello, Alex! I am Demo bot.'));
    await say(second.id, ALEX, '/start', (text) => text.startsWith('Hello, Alex! I am Second bot.'));
    const inDemo = await eventually('Alex in the demo bot', () => alexIn(demoBotId));
    const inSecond = await eventually('Alex in the second bot', () => alexIn(secondBotId));
    expect(inDemo.userId).toBe(inSecond.userId);
    expect([inDemo.status, inSecond.status]).toEqual(['MEMBER_STATUS_ACTIVE', 'MEMBER_STATUS_ACTIVE']);

    // The owner blocks Alex in the second bot through its admin menu (/admin), as in the web chat.
    await say(second.id, OLGA, '/start', (text) => text.includes('Second bot'));
    const menu = await say(second.id, OLGA, '/admin', () => true);
    await press(second.id, OLGA, menu, (data) => data.startsWith('adm:find'));
    const results = await say(second.id, OLGA, '@alex', () => true);
    const card = await press(
      second.id,
      OLGA,
      results,
      (data) => data.endsWith(`:${ALEX}`),
      (text) => text.includes(String(ALEX)),
    );
    await press(second.id, OLGA, card, (data) => data === `adm:blk:${ALEX}`);
    await say(second.id, OLGA, 'spam', (text) => text.includes('spam'));
    expect(await alexIn(secondBotId)).toMatchObject({ status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'spam' });
    expect((await alexIn(demoBotId))?.status).toBe('MEMBER_STATUS_ACTIVE');

    // The block holds in the second bot only (once the gateway's member cache has it: a /help answered
    // before then is sent again).
    await eventually(
      'the second bot to refuse Alex',
      async () => {
        const answer = await say(second.id, ALEX, '/help', () => true);
        return answer.message.text?.startsWith('You are blocked in this bot. Reason: spam') ? answer : undefined;
      },
      ANSWER_TIMEOUT_MS,
    );
    await say(demo.id, ALEX, '/help', (text) => text.startsWith('Here is what I can do:'));
    const chatsBefore = {
      demo: (await conversation(demo.id, ALEX)).map((m) => m.message.text),
      second: (await conversation(second.id, ALEX)).map((m) => m.message.text),
    };

    // --- Ctrl-C: an ordered stop, exit code 0, the data directory holds the database and the sandbox.
    run.child.kill('SIGINT');
    expect({ ...(await run.exited), stderr: run.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
    expect((await stat(join(env.BOTPLATFORM_DATA_DIR!, 'postgres'))).isDirectory()).toBe(true);
    const saved = JSON.parse(await readFile(join(env.BOTPLATFORM_DATA_DIR!, 'sandbox.json'), 'utf8')) as object;
    expect(JSON.stringify(saved)).toContain('second_bot');

    // --- `npm start` again, on the same data directory.
    run = await startPlatformProcess(env);
    current = run;
    const served = await eventually('both bots to be served', async () => {
      const names = run!.lines.map(({ msg }) => / is served \(polling, @(\w+)\)$/.exec(msg)?.[1]).filter(Boolean);
      return names.includes('demo_bot') && names.includes('second_bot') ? names : undefined;
    });
    expect(served.sort()).toEqual(['demo_bot', 'second_bot']);
    // Registered once: the restart found both bots in the data directory instead of registering the demo bot again.
    expect(run.lines.some(({ msg }) => msg.startsWith('the bot is registered already'))).toBe(true);
    // Nothing of the refused registration is left to fail on every start.
    expect(run.lines.filter(({ level }) => level >= 50).map(({ msg }) => msg)).toEqual([]);
    expect(run.lines.some(({ msg }) => msg.includes('getMe failed'))).toBe(false);

    // The sandbox remembers the chats and their messages.
    expect({
      demo: (await conversation(demo.id, ALEX)).map((m) => m.message.text),
      second: (await conversation(second.id, ALEX)).map((m) => m.message.text),
    }).toEqual(chatsBefore);
    // The platform remembers the memberships, the one identity and the block.
    const afterDemo = await alexIn(demoBotId);
    const afterSecond = await alexIn(secondBotId);
    expect(afterDemo).toMatchObject({ userId: inDemo.userId, status: 'MEMBER_STATUS_ACTIVE' });
    expect(afterSecond).toMatchObject({ userId: inDemo.userId, status: 'MEMBER_STATUS_BLOCKED_BY_ADMIN', blockReason: 'spam' });

    // A new /help: answered in the demo bot, refused in the second.
    await say(demo.id, ALEX, '/help', (text) => text.startsWith('Here is what I can do:'));
    const refusal = await say(second.id, ALEX, '/help', () => true);
    expect(refusal.message.text).toMatch(/^You are blocked in this bot\. Reason: spam/);

    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
  }, 120_000);
});
