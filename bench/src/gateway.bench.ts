import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { startPlatform, type RunningPlatform } from '@botplatform/platform';
import { createRpcClient } from '@botplatform/service-kit';
import { TelegramSandbox, type SandboxChat } from '@botplatform/telegram-sandbox';
import { sequentialize, run, type RunnerHandle } from '@grammyjs/runner';
import { Bot } from 'grammy';
import pg from 'pg';
import type { BenchLine } from './report.js';
import { paced, percentile, perSecond, sleep, waitUntil, withTimeout } from './timing.js';

const USERS = 200;
/**
 * Users who go through `/start` and `/help` before anything is measured, on every bot under test alike:
 * the first updates run code V8 has not compiled yet (for ours, the whole platform's path), and a
 * 200-update burst is short enough for that warm-up to be most of what it measured.
 */
const WARM_UP_USERS = 200;
const THROUGHPUT_MESSAGES_PER_USER = 5;
const LATENCY_RATE_PER_SECOND = 200;
const LATENCY_SECONDS = 10;
const OPERATOR_TOKEN = 'bench-operator-token-0123456789abcdef';
/** A command of the users service's screens, routed by the gateway over request/reply: `/help`'s class of work. */
const ROUTED_COMMAND = 'profile';

export interface GatewayBenchTarget {
  readonly databaseUrl: string;
}

/** What answers the sandbox's users: the platform's gateway, or a bare grammY bot (the raw baseline). */
interface BotUnderTest {
  readonly chats: readonly SandboxChat[];
  /** Other users of the same bot, for the warm-up (never among `chats`, whose first contact is measured). */
  readonly warmUpChats: readonly SandboxChat[];
  /**
   * Waits until the work a phase left behind is done (ours: the consumers after the replies, such as
   * notifications' and payments' part of a first contact), so each phase measures its own; returns
   * the ms waited. The bare bots leave nothing behind.
   */
  settle?(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Updates through the gateway against the sandbox with its rate limits off, beside a bare grammY bot
 * (runner, sequentialized per chat, answering in the handler) on the same sandbox: the raw figure is what
 * grammY and the sandbox manage alone, ours adds the users service (identity and membership through
 * request/reply, events, read models), sessions, i18n and the rest of the pipeline.
 *
 * Lines: first contact (`/start` of a new user: identity and membership written), known users (`/help`,
 * served from the member cache), p50/p99 update → reply latency at a fixed offered load, the same known
 * users with a command the users service answers through the bot-features protocol (`/profile`: routed
 * over request/reply, actions performed by the gateway) against `/help` handled in the gateway itself,
 * and the RSS of the process hosting the gateway (the whole embedded platform here, so an upper bound).
 */
export async function runGatewayBench(target: GatewayBenchTarget, log: (line: string) => void): Promise<BenchLine[]> {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  await sandbox.start();
  try {
    const raw = await measure('raw grammY bot', () => startRawBot(sandbox), log);
    const naiveFirstContact = await measureNaiveFirstContact(sandbox, target, log);
    const rssBefore = process.memoryUsage().rss;
    const ours = await measure('gateway', () => startGateway(sandbox, target), log, ROUTED_COMMAND);
    const routed = ours.routed!;
    const lines: BenchLine[] = [
      {
        scenario: 'gateway',
        line: `first contact: /start of ${USERS} new users ×1 → reply`,
        unit: 'updates/s',
        better: 'higher',
        ours: ours.firstContactPerSecond,
        raw: raw.firstContactPerSecond,
        naive: naiveFirstContact,
        aim: { on: 'naive', ratio: 0.7 },
      },
      {
        scenario: 'gateway',
        line: `known users: ${USERS} users × ${THROUGHPUT_MESSAGES_PER_USER} /help → reply`,
        unit: 'updates/s',
        better: 'higher',
        ours: ours.knownUsersPerSecond,
        raw: raw.knownUsersPerSecond,
        aim: [
          { on: 'raw', ratio: 0.5 },
          { on: 'absolute', value: 1_000, what: 'updates/s' },
        ],
      },
      ...[50, 99].map(
        (p): BenchLine => ({
          scenario: 'gateway',
          line: `update → reply p${p}, ${LATENCY_RATE_PER_SECOND}/s for ${LATENCY_SECONDS} s`,
          unit: 'ms',
          better: 'lower',
          ours: percentile(ours.latencies, p),
          raw: percentile(raw.latencies, p),
          ...(p === 99 ? { aim: [{ on: 'raw', ratio: 2 } as const, { on: 'absolute', value: 100, what: 'ms' } as const] } : {}),
          details: { samples: ours.latencies.length },
        }),
      ),
      {
        scenario: 'gateway',
        line: `known users, routed: ${USERS} × ${THROUGHPUT_MESSAGES_PER_USER} /${ROUTED_COMMAND} (gateway → users service's screen → reply), raw = /help handled in the gateway`,
        unit: 'updates/s',
        better: 'higher',
        ours: routed.perSecond,
        raw: ours.knownUsersPerSecond,
        details: { ratio: Number((routed.perSecond / ours.knownUsersPerSecond).toFixed(2)) },
      },
      ...[50, 99].map(
        (p): BenchLine => ({
          scenario: 'gateway',
          line: `routed update → reply p${p} (/${ROUTED_COMMAND}), ${LATENCY_RATE_PER_SECOND}/s for ${LATENCY_SECONDS} s, raw = /help in the gateway`,
          unit: 'ms',
          better: 'lower',
          ours: percentile(routed.latencies, p),
          raw: percentile(ours.latencies, p),
          details: { samples: routed.latencies.length },
        }),
      ),
      {
        scenario: 'gateway',
        line: 'RSS of the hosting process after the run',
        unit: 'MiB',
        better: 'lower',
        ours: ours.rssMiB,
        raw: raw.rssMiB,
        details: { rssBeforeGatewayMiB: mib(rssBefore) },
      },
    ];
    return lines;
  } finally {
    await sandbox.stop();
  }
}

interface Measured {
  readonly firstContactPerSecond: number;
  readonly knownUsersPerSecond: number;
  readonly latencies: readonly number[];
  readonly rssMiB: number;
  /** The same known users' throughput and latency with a command a service answers (gateway only). */
  readonly routed?: { readonly perSecond: number; readonly latencies: readonly number[] };
}

async function measure(label: string, start: () => Promise<BotUnderTest>, log: (line: string) => void, routedCommand?: string): Promise<Measured> {
  const bot = await start();
  const settled: number[] = [];
  const phase = async <T>(measured: () => Promise<T>): Promise<T> => {
    if (bot.settle) settled.push(await bot.settle());
    return measured();
  };
  try {
    await warmUp(bot.warmUpChats);
    const firstContactPerSecond = await phase(() => burst(bot.chats, 1, (chat) => chat.sendCommand('start')));
    const knownUsersPerSecond = await phase(() => burst(bot.chats, THROUGHPUT_MESSAGES_PER_USER, (chat) => chat.sendCommand('help')));
    const latencies = await phase(() => steadyLatency(bot.chats, 'help'));
    const routed = routedCommand
      ? {
          perSecond: await phase(() => burst(bot.chats, THROUGHPUT_MESSAGES_PER_USER, (chat) => chat.sendCommand(routedCommand))),
          latencies: await phase(() => steadyLatency(bot.chats, routedCommand)),
        }
      : undefined;
    const rssMiB = mib(process.memoryUsage().rss);
    log(
      `  ${label}: first contact ${firstContactPerSecond.toFixed(0)}/s, known users ${knownUsersPerSecond.toFixed(0)}/s, ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, RSS ${rssMiB.toFixed(0)} MiB` +
        (routed
          ? `; routed /${routedCommand} ${routed.perSecond.toFixed(0)}/s, p50 ${percentile(routed.latencies, 50).toFixed(1)} ms, p99 ${percentile(routed.latencies, 99).toFixed(1)} ms`
          : '') +
        (settled.length ? `; idle before each phase after ${settled.map((ms) => ms.toFixed(0)).join(' / ')} ms` : ''),
    );
    return { firstContactPerSecond, knownUsersPerSecond, latencies, rssMiB, ...(routed ? { routed } : {}) };
  } finally {
    await bot.stop();
  }
}

/** A first contact and a known user's command of each warm-up chat, unmeasured. */
async function warmUp(chats: readonly SandboxChat[]): Promise<void> {
  await burst(chats, 1, (chat) => chat.sendCommand('start'));
  await burst(chats, 1, (chat) => chat.sendCommand('help'));
}

/** New users of `bot` in the sandbox, half of them speaking Russian. */
function newChats(sandbox: TelegramSandbox, bot: ReturnType<TelegramSandbox['createBot']>, count: number, firstName: string): SandboxChat[] {
  return Array.from({ length: count }, (_, i) => sandbox.chat(sandbox.createUser({ firstName: `${firstName}${i}`, languageCode: i % 2 ? 'ru' : 'en' }), bot));
}

/** Every chat sends `perChat` messages at once; the rate is messages over the time until the last reply. */
async function burst(chats: readonly SandboxChat[], perChat: number, send: (chat: SandboxChat) => void): Promise<number> {
  const started = performance.now();
  const replies = chats.flatMap((chat) =>
    Array.from({ length: perChat }, () => {
      send(chat);
      return chat.waitForMessage(() => true, { timeoutMs: 120_000 });
    }),
  );
  await Promise.all(replies);
  return perSecond(replies.length, performance.now() - started);
}

/** Open-loop `/<command>` at a fixed rate, round-robin over the chats; each sample is send → reply. */
async function steadyLatency(chats: readonly SandboxChat[], command: string): Promise<number[]> {
  const samples: number[] = [];
  await paced(LATENCY_RATE_PER_SECOND, LATENCY_RATE_PER_SECOND * LATENCY_SECONDS, async (i) => {
    const chat = chats[i % chats.length];
    const sent = performance.now();
    const reply = chat.waitForMessage(() => true, { timeoutMs: 60_000 });
    chat.sendCommand(command);
    await reply;
    samples.push(performance.now() - sent);
  });
  return samples;
}

async function startRawBot(sandbox: TelegramSandbox): Promise<BotUnderTest> {
  const sandboxBot = sandbox.createBot({ username: 'raw_bench_bot' });
  const bot = new Bot(sandboxBot.token, { client: { apiRoot: sandbox.apiRoot } });
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.command('start', (ctx) => ctx.reply(`Welcome, ${ctx.from?.first_name}!`));
  bot.command('help', (ctx) => ctx.reply('/start /help /profile /language'));
  await bot.init();
  const runner: RunnerHandle = run(bot);
  return {
    chats: newChats(sandbox, sandboxBot, USERS, 'Raw'),
    warmUpChats: newChats(sandbox, sandboxBot, WARM_UP_USERS, 'RawWarmUp'),
    stop: () => runner.stop(),
  };
}

/**
 * The naive durable bot's first contact: the bare grammY bot (runner, sequentialized per chat) whose
 * `/start` upserts the user and the bot membership in one transaction (pool of 10, like a service's)
 * and then replies. What a competent engineer writes by hand to remember who joined.
 */
async function measureNaiveFirstContact(sandbox: TelegramSandbox, target: GatewayBenchTarget, log: (line: string) => void): Promise<number> {
  const pool = new pg.Pool({ connectionString: target.databaseUrl, max: 10 });
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS naive_bot`);
    await pool.query(`CREATE TABLE naive_bot.users (
      telegram_user_id bigint PRIMARY KEY, first_name text NOT NULL, language_code text,
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(`CREATE TABLE naive_bot.memberships (
      bot_id bigint NOT NULL, telegram_user_id bigint NOT NULL REFERENCES naive_bot.users,
      joined_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (bot_id, telegram_user_id))`);
    const sandboxBot = sandbox.createBot({ username: 'naive_bench_bot' });
    const bot = new Bot(sandboxBot.token, { client: { apiRoot: sandbox.apiRoot } });
    bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
    bot.command('start', async (ctx) => {
      const from = ctx.from!;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query({
          name: 'naive_upsert_user',
          text: `INSERT INTO naive_bot.users (telegram_user_id, first_name, language_code) VALUES ($1, $2, $3)
                 ON CONFLICT (telegram_user_id) DO UPDATE SET first_name = excluded.first_name,
                   language_code = excluded.language_code, updated_at = now()`,
          values: [from.id, from.first_name, from.language_code ?? null],
        });
        await client.query({
          name: 'naive_upsert_membership',
          text: `INSERT INTO naive_bot.memberships (bot_id, telegram_user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          values: [ctx.me.id, from.id],
        });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      await ctx.reply(`Welcome, ${from.first_name}!`);
    });
    await bot.init();
    const runner: RunnerHandle = run(bot);
    try {
      await burst(newChats(sandbox, sandboxBot, WARM_UP_USERS, 'NaiveWarmUp'), 1, (chat) => chat.sendCommand('start'));
      const rate = await burst(newChats(sandbox, sandboxBot, USERS, 'Naive'), 1, (chat) => chat.sendCommand('start'));
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM naive_bot.memberships');
      if (rows[0].n !== WARM_UP_USERS + USERS) throw new Error(`the naive bot stored ${rows[0].n} memberships for ${WARM_UP_USERS + USERS} users`);
      log(`  naive durable grammY bot (user + membership upserted in one transaction): first contact ${rate.toFixed(0)}/s`);
      return rate;
    } finally {
      await runner.stop();
    }
  } finally {
    await pool.query('DROP SCHEMA IF EXISTS naive_bot CASCADE').catch(() => {});
    await pool.end();
  }
}

async function startGateway(sandbox: TelegramSandbox, target: GatewayBenchTarget): Promise<BotUnderTest> {
  const sandboxBot = sandbox.createBot({ username: 'gateway_bench_bot' });
  const broker = new InProcessBroker();
  // The bus as `npm start` builds it (services/platform/src/main.ts): its idle poll of every producer's store,
  // not a faster one. In-process appends wake the consumers at once either way; a 20 ms poll only added
  // ~900 idle reads a second (17 consumers × 50/s) competing with the updates measured.
  const bus = new EmbeddedEventBus();
  let platform: RunningPlatform | undefined;
  const rpc = createRpcClient({ kind: 'in-process', broker });
  try {
    platform = await startPlatform({
      databaseUrl: target.databaseUrl,
      bus,
      rpc: { kind: 'in-process', broker },
      firstHttpPort: 0,
      logger: false,
      users: { operatorToken: OPERATOR_TOKEN },
      // The pipeline's per-user limit would drop the bench's bursts: it guards Telegram users, not load tests.
      telegram: { telegramApiRoot: sandbox.apiRoot, mode: 'polling', incomingRateLimit: false },
    });
    await rpc.call(RPC.users.registerBot, {
      name: 'Bench bot',
      token: sandboxBot.token,
      ownerTelegramUserId: '1',
    });
    const chats = newChats(sandbox, sandboxBot, USERS, 'User');
    const warmUpChats = newChats(sandbox, sandboxBot, WARM_UP_USERS, 'WarmUp');
    // Hosted once the gateway has picked the registration up (event → refresh): a probe user's /help answers.
    const probe = sandbox.chat(sandbox.createUser({ firstName: 'Probe' }), sandboxBot);
    await waitUntil(
      'the gateway to host the bench bot',
      async () => {
        probe.sendCommand('help');
        return withTimeout(probe.waitForMessage(), 1_000, 'probe reply').then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await sleep(200);
    const running = platform;
    return {
      chats,
      warmUpChats,
      settle: () => untilIdle(bus),
      stop: async () => {
        await rpc.close();
        await running.close();
        await bus.close();
      },
    };
  } catch (error) {
    await rpc.close();
    await platform?.close();
    await bus.close();
    throw error;
  }
}

const mib = (bytes: number) => bytes / 1024 / 1024;

/**
 * Waits until the embedded bus has been caught up for 500 ms straight (every consumer found nothing new
 * at its producer's head): a chain of consumers (users → notifications → the gateway's outbound → …)
 * leaves short gaps between its links.
 */
async function untilIdle(bus: EmbeddedEventBus): Promise<number> {
  const started = performance.now();
  let idleSince: number | undefined;
  await waitUntil(
    'the platform to be idle',
    () => {
      const now = performance.now();
      if (!bus.caughtUp()) idleSince = undefined;
      else idleSince ??= now;
      return idleSince !== undefined && now - idleSince >= 500;
    },
    { timeoutMs: 60_000, intervalMs: 20 },
  );
  return performance.now() - started - 500;
}
