/** A demo bot asked for on the command line or in the environment. */
export interface CliBot {
  username: string;
  token?: string;
}

/** A demo user asked for on the command line or in the environment. */
export interface CliUser {
  firstName: string;
  username?: string;
}

export interface CliOptions {
  port: number;
  bots: CliBot[];
  users: CliUser[];
  rateLimits: boolean;
  preCheckoutTimeoutMs: number;
  verbose: boolean;
  help: boolean;
}

/** A flag or variable with a bad value; the CLI prints it and exits instead of guessing. */
export class CliOptionsError extends Error {
  readonly code = 'CLI.INVALID_OPTION';
}

export const CLI_USAGE = `Usage: telegram-sandbox [options]

Options (environment variable in brackets):
  --port <n>                   Port on 127.0.0.1, 0 = any free port      [TELEGRAM_SANDBOX_PORT, default 8081]
  --bot <username>[=<token>]   Create a bot; repeatable                  [TELEGRAM_SANDBOX_BOTS, comma-separated]
  --user <first name>[@<username>]  Create a user; repeatable            [TELEGRAM_SANDBOX_USERS, comma-separated]
  --no-rate-limits             Switch Telegram's send limits off         [TELEGRAM_SANDBOX_RATE_LIMITS=off]
  --pre-checkout-timeout-ms <n>  Deadline for answerPreCheckoutQuery     [TELEGRAM_SANDBOX_PRE_CHECKOUT_TIMEOUT_MS, default 10000]
  --verbose                    Log every Bot API call                    [TELEGRAM_SANDBOX_VERBOSE=1]
  --help                       Show this text

Without --bot/--user a demo bot (@sandbox_demo_bot, token 1000001:sandbox-demo-token) and two users
(Alice, Bob) are created. Point a grammY bot at it with:
  new Bot(token, { client: { apiRoot: 'http://127.0.0.1:<port>' } })`;

/**
 * Reads flags first, then TELEGRAM_SANDBOX_* variables, so `npm run sandbox -- --port 9000`
 * beats the environment. Every bad value is reported with the flag or variable that carried it.
 */
export function parseCliOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliOptions {
  const flags = readFlags(argv);
  const port = parseInteger(flags.port ?? env.TELEGRAM_SANDBOX_PORT ?? '8081', flags.port ? '--port' : 'TELEGRAM_SANDBOX_PORT', 0, 65535);
  const preCheckoutTimeoutMs = parseInteger(
    flags.preCheckoutTimeoutMs ?? env.TELEGRAM_SANDBOX_PRE_CHECKOUT_TIMEOUT_MS ?? '10000',
    flags.preCheckoutTimeoutMs ? '--pre-checkout-timeout-ms' : 'TELEGRAM_SANDBOX_PRE_CHECKOUT_TIMEOUT_MS',
    1,
    600_000,
  );
  const botSpecs = flags.bots.length > 0 ? flags.bots : splitList(env.TELEGRAM_SANDBOX_BOTS);
  const userSpecs = flags.users.length > 0 ? flags.users : splitList(env.TELEGRAM_SANDBOX_USERS);
  const rateLimitsEnv = env.TELEGRAM_SANDBOX_RATE_LIMITS?.toLowerCase();
  if (rateLimitsEnv !== undefined && !['on', 'off', 'true', 'false', '1', '0'].includes(rateLimitsEnv)) {
    throw new CliOptionsError(`TELEGRAM_SANDBOX_RATE_LIMITS must be "on" or "off", got "${env.TELEGRAM_SANDBOX_RATE_LIMITS}"`);
  }
  const useDemo = botSpecs.length === 0 && userSpecs.length === 0;
  return {
    port,
    bots: useDemo ? [{ username: 'sandbox_demo_bot', token: '1000001:sandbox-demo-token' }] : botSpecs.map(parseBot),
    users: useDemo ? [{ firstName: 'Alice', username: 'alice' }, { firstName: 'Bob' }] : userSpecs.map(parseUser),
    rateLimits: !flags.noRateLimits && !['off', 'false', '0'].includes(rateLimitsEnv ?? 'on'),
    preCheckoutTimeoutMs,
    verbose: flags.verbose || env.TELEGRAM_SANDBOX_VERBOSE === '1',
    help: flags.help,
  };
}

interface Flags {
  port?: string;
  preCheckoutTimeoutMs?: string;
  bots: string[];
  users: string[];
  noRateLimits: boolean;
  verbose: boolean;
  help: boolean;
}

function readFlags(argv: readonly string[]): Flags {
  const flags: Flags = { bots: [], users: [], noRateLimits: false, verbose: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [name, inlineValue] = equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inlineValue ?? argv[++i];
      if (next === undefined) throw new CliOptionsError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--port':
        flags.port = value();
        break;
      case '--bot':
        flags.bots.push(value());
        break;
      case '--user':
        flags.users.push(value());
        break;
      case '--pre-checkout-timeout-ms':
        flags.preCheckoutTimeoutMs = value();
        break;
      case '--no-rate-limits':
        flags.noRateLimits = true;
        break;
      case '--verbose':
        flags.verbose = true;
        break;
      case '--help':
      case '-h':
        flags.help = true;
        break;
      default:
        throw new CliOptionsError(`Unknown option ${name} (see --help)`);
    }
  }
  return flags;
}

function parseInteger(text: string, source: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new CliOptionsError(`${source} must be an integer between ${min} and ${max}, got "${text}"`);
  }
  return value;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `shop_bot` or `shop_bot=123456:secret`. */
function parseBot(spec: string): CliBot {
  const [username, token] = spec.split(/=(.*)/s, 2).map((part) => part?.trim());
  if (!username || !/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(username.replace(/^@/, ''))) {
    throw new CliOptionsError(`Bad bot "${spec}": expected <username>[=<token>]`);
  }
  if (token !== undefined && token !== '' && !/^\d{1,15}:[A-Za-z0-9_-]{1,64}$/.test(token)) {
    throw new CliOptionsError(`Bad token for @${username}: expected <digits>:<secret>`);
  }
  return { username: username.replace(/^@/, ''), ...(token ? { token } : {}) };
}

/** `Alice` or `Alice@alice`. */
function parseUser(spec: string): CliUser {
  const [firstName, username] = spec.split('@', 2).map((part) => part.trim());
  if (!firstName) throw new CliOptionsError(`Bad user "${spec}": expected <first name>[@<username>]`);
  return { firstName, ...(username ? { username } : {}) };
}
