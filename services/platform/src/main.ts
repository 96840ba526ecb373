import 'reflect-metadata';
import { EmbeddedEventBus, InProcessBroker, RpcCallError } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { PinoLoggerService, createRpcClient, loadConfigOrExit, startTracingFromEnv } from '@botplatform/service-kit';
import { TelegramSandbox } from '@botplatform/telegram-sandbox';
import { Logger } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { EmbeddedDatabaseConfig, EmbeddedPostgresStartError, embeddedPostgresDir, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { startPlatform, type RunningPlatform } from './platform.js';

/**
 * The demo bot of the sandbox. Its token is fixed (and public: the sandbox runs on this machine only) so
 * the registration kept in the data directory still matches it after a restart.
 */
const SANDBOX_DEMO_BOT = { username: 'demo_bot', firstName: 'Demo bot', token: '7000000001:sandbox-demo-bot-token-not-a-secret' };
const SANDBOX_OWNER = { id: 7_100_001, firstName: 'Olga', username: 'olga_owner', languageCode: 'ru' };
const STOP_DEADLINE_MS = 20_000;
const SANDBOX_USER = { id: 7_100_002, firstName: 'Alex', username: 'alex', languageCode: 'en' };

/** `npm start`: the whole platform in one process, nothing installed but Node. */
class EmbeddedPlatformConfig extends EmbeddedDatabaseConfig {
  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT: number = 3000;

  /** A real bot from BotFather. Without one, the platform runs against a local Telegram sandbox. */
  @IsOptional()
  @Matches(/^\d{1,20}:[A-Za-z0-9_-]{30,64}$/, { message: 'TELEGRAM_BOT_TOKEN must be a token as BotFather gives it' })
  TELEGRAM_BOT_TOKEN?: string = undefined;

  /** Your own Telegram user id: the owner (and first admin) of that bot. */
  @ValidateIf((config: EmbeddedPlatformConfig) => Boolean(config.TELEGRAM_BOT_TOKEN))
  @Matches(/^[1-9][0-9]{0,15}$/, { message: 'TELEGRAM_OWNER_ID (your Telegram user id) is required with TELEGRAM_BOT_TOKEN' })
  TELEGRAM_OWNER_ID: string = '';

  @IsInt()
  @Min(0)
  @Max(65_535)
  SANDBOX_PORT: number = 8081;

  /** The admin API's operator token; a fresh one for this run, printed below, when not given. */
  @IsOptional()
  @IsString()
  OPERATOR_API_TOKEN?: string = undefined;
}

// Spans exported only when OTEL_* variables ask for it; the services log JSON lines (pino).
startTracingFromEnv('botplatform');
// One logger for the process (Nest's override is process-wide): a line is the platform's unless the work
// being handled (an RPC, an event, an update) names its service in the log context.
const processLogger = new PinoLoggerService({ service: 'platform' });
Logger.overrideLogger(processLogger);
const logger = new Logger('platform');
const config = loadConfigOrExit(EmbeddedPlatformConfig, process.env, logger);
// What is running, for the stop below; its handlers are in place before anything starts, so a Ctrl+C
// during the start waits for it and then stops in order instead of leaving PostgreSQL behind.
let database: EmbeddedDatabase | undefined;
let sandbox: TelegramSandbox | undefined;
let bus: EmbeddedEventBus | undefined;
let platform: RunningPlatform | undefined;
let stopping = false;
let startedUp: () => void = () => undefined;
const running = new Promise<void>((resolve) => {
  startedUp = resolve;
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
if (!config.DATABASE_URL) {
  const dataDir = embeddedPostgresDir(config);
  logger.log(`starting embedded PostgreSQL in ${dataDir} on port ${config.EMBEDDED_POSTGRES_PORT}`);
  try {
    database = await startEmbeddedPostgres(dataDir, config.EMBEDDED_POSTGRES_PORT);
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresStartError && error.dataDirectoryInUse)) throw error;
    logger.error(
      `${error.message}: another npm start, or an npm run import:legacy, is running on ${config.BOTPLATFORM_DATA_DIR}; let it finish (or stop it) and start again`,
    );
    process.exit(1);
  }
}

let bot: { token: string; name: string; owner: string };
if (config.TELEGRAM_BOT_TOKEN) {
  bot = { token: config.TELEGRAM_BOT_TOKEN, name: 'My bot', owner: config.TELEGRAM_OWNER_ID };
} else {
  // Kept next to the platform's own data, so the web chat still shows its chats after a restart.
  sandbox = new TelegramSandbox({ persistTo: resolve(config.BOTPLATFORM_DATA_DIR, 'sandbox.json') });
  await sandbox.start({ port: config.SANDBOX_PORT });
  if (!sandbox.bots().some((existing) => existing.token === SANDBOX_DEMO_BOT.token)) sandbox.createBot(SANDBOX_DEMO_BOT);
  for (const user of [SANDBOX_OWNER, SANDBOX_USER]) {
    if (!sandbox.users().some((existing) => existing.id === user.id)) sandbox.createUser(user);
  }
  bot = { token: SANDBOX_DEMO_BOT.token, name: SANDBOX_DEMO_BOT.firstName, owner: String(SANDBOX_OWNER.id) };
}

const operatorToken = config.OPERATOR_API_TOKEN ?? `op_${randomBytes(24).toString('base64url')}`;
bus = new EmbeddedEventBus({ onError: (error) => logger.warn(`bus: ${String(error)}`) });
const rpc = { kind: 'in-process', broker: new InProcessBroker() } as const;
const started = await startPlatform({
  databaseUrl: config.DATABASE_URL ?? database!.url,
  bus,
  rpc,
  firstHttpPort: config.HTTP_PORT,
  logger: processLogger,
  users: { operatorToken },
  telegram: { telegramApiRoot: sandbox?.apiRoot ?? 'https://api.telegram.org', mode: 'polling', logger },
});
platform = started;
for (const service of started.services.values()) logger.log(`${service.name}: ${service.url}/health`);
if (!(await registerTheBot())) {
  // Nothing to serve: stop in order (the database last) rather than leave a platform without its bot.
  startedUp();
  await stop('the bot is not registered', 1);
}
if (!config.OPERATOR_API_TOKEN) {
  logger.log(`operator token of the admin API for this run (set OPERATOR_API_TOKEN to keep one): ${operatorToken}`);
  logger.log(`  try: curl -H 'Authorization: Bearer ${operatorToken}' ${started.services.get('users')!.url}/admin/bots`);
}
if (sandbox) {
  logger.log(`Telegram sandbox: chat with @${SANDBOX_DEMO_BOT.username} at ${sandbox.webUrl}`);
  logger.log(`  as ${SANDBOX_OWNER.firstName} (the bot's owner, id ${SANDBOX_OWNER.id}) or ${SANDBOX_USER.firstName} (id ${SANDBOX_USER.id})`);
  const tokenVariable = config.OPERATOR_API_TOKEN ? '' : `OPERATOR_API_TOKEN=${operatorToken} `;
  logger.log(`  a second bot (created in the sandbox and registered with the platform): ${tokenVariable}npm run bot:add -- second_bot --name "Second bot"`);
}
logger.log('botplatform is running (embedded mode). Ctrl+C stops it.');
startedUp();

/**
 * Registers the bot on the first start; later starts find it in the data directory. False when Telegram
 * refused the token or could not be asked about it (logged): the bot is not registered.
 */
async function registerTheBot(): Promise<boolean> {
  const client = createRpcClient(rpc);
  try {
    const reply = await client.call(RPC.users.registerBot, {
      name: bot.name,
      token: bot.token,
      ownerTelegramUserId: bot.owner,
    });
    const users = started.services.get('users')!;
    logger.log(`registered bot ${reply.botId}; its admin API token (shown once): ${reply.apiToken}`);
    logger.log(`  try: curl -H 'Authorization: Bearer ${reply.apiToken}' ${users.url}/admin/bots/me`);
    return true;
  } catch (error) {
    if (error instanceof RpcCallError && (error.code === 'USERS.TELEGRAM_TOKEN_REJECTED' || error.code === 'USERS.TELEGRAM_UNREACHABLE')) {
      const hint =
        error.code === 'USERS.TELEGRAM_TOKEN_REJECTED' ? 'check TELEGRAM_BOT_TOKEN (as BotFather gave it)' : 'start again once Telegram can be reached';
      logger.error(`the bot could not be registered: ${error.message}; ${hint}`);
      return false;
    }
    if (!(error instanceof RpcCallError && error.code === 'USERS.BOT_ALREADY_REGISTERED')) throw error;
    logger.log('the bot is registered already (its API token was shown on the first start)');
    return true;
  } finally {
    await client.close();
  }
}

/**
 * The ordered stop: the services stop taking work and drain (each closes its consumers, then its app,
 * then its database pool; the gateway first), then the bus and the sandbox, and the database last.
 * Signals that come during it (Ctrl+C pressed twice, or the terminal's and `npm start`'s copies of one)
 * do not cut it short: they are only noted. A stop stuck past the deadline exits 1 rather than hang.
 * `exitCode` 1: a stop the platform asked for itself because it cannot run.
 */
async function stop(reason: NodeJS.Signals | 'the bot is not registered', exitCode: 0 | 1 = 0): Promise<void> {
  if (stopping) {
    logger.log(`${reason}: already stopping`);
    return;
  }
  stopping = true;
  logger.log(`${reason}: stopping`);
  setTimeout(() => {
    logger.error(`the stop did not finish within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  await running;
  let failed = false;
  for (const [what, close] of [
    ['the services', async () => platform?.close()],
    ['the bus', async () => bus?.close()],
    ['the Telegram sandbox', async () => sandbox?.stop()],
    ['PostgreSQL', async () => database?.stop()],
  ] as const) {
    try {
      await close();
    } catch (error) {
      failed = true;
      logger.error(`stopping ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  logger.log('stopped');
  process.exit(failed ? 1 : exitCode);
}
