#!/usr/bin/env node
import { CLI_USAGE, CliOptionsError, parseCliOptions } from './cli/cli-options.parser.js';
import { TelegramSandbox } from './telegram-sandbox.js';

/** Starts a standalone sandbox with demo bots and users; stops on Ctrl+C. */
async function main(): Promise<void> {
  let options;
  try {
    options = parseCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliOptionsError) {
      console.error(`telegram-sandbox: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  if (options.help) {
    console.log(CLI_USAGE);
    return;
  }

  const sandbox = new TelegramSandbox({
    rateLimits: options.rateLimits ? undefined : false,
    preCheckoutTimeoutMs: options.preCheckoutTimeoutMs,
    log: options.verbose ? (line) => console.log(`[bot-api] ${line}`) : undefined,
  });
  await sandbox.start({ port: options.port });
  const bots = options.bots.map((bot) => sandbox.createBot(bot));
  const users = options.users.map((user) => sandbox.createUser(user));

  console.log('Telegram sandbox is running');
  console.log(`  Bot API root: ${sandbox.apiRoot}   (grammY: new Bot(token, { client: { apiRoot: '${sandbox.apiRoot}' } }))`);
  console.log(`  Web chat:     ${sandbox.webUrl}`);
  for (const bot of bots) console.log(`  Bot  @${bot.username}  token ${bot.token}`);
  for (const user of users) console.log(`  User ${user.firstName}${user.username ? ` (@${user.username})` : ''}  id ${user.id}`);
  console.log(`  Rate limits ${options.rateLimits ? 'on' : 'off'}; Ctrl+C to stop.`);

  const shutdown = (): void => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
