// `npm run bot:add -- <username> [--name "…"] [--owner <telegram user id>] [--operator-token <token>]`:
// a second (third…) bot for a running `npm start` in sandbox mode. It creates the bot in the Telegram sandbox
// and registers it with the users service's admin API; the gateway then starts hosting it on its own.
// Ports come from the same variables and defaults as services/platform/src/main.ts.
import { parseArgs } from 'node:util';

/** The sandbox user main.ts creates as the demo bot's owner; the new bot gets the same owner by default. */
const SANDBOX_OWNER_ID = '7100001';

const usage = 'usage: npm run bot:add -- <username> [--name "Bot name"] [--owner <telegram user id>] [--operator-token <token>]';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      owner: { type: 'string', default: SANDBOX_OWNER_ID },
      'operator-token': { type: 'string' },
    },
  });
} catch (error) {
  fail(`${error.message}\n${usage}`);
}
const [username] = parsed.positionals;
if (!username || parsed.positionals.length > 1) fail(usage);
const operatorToken = parsed.values['operator-token'] ?? process.env.OPERATOR_API_TOKEN;
if (!operatorToken) fail(`the admin API's operator token is needed: npm start prints it; pass --operator-token or set OPERATOR_API_TOKEN\n${usage}`);

// Users is the first service, so it listens on HTTP_PORT itself.
const usersUrl = `http://127.0.0.1:${process.env.HTTP_PORT ?? 3000}`;
const sandboxUrl = `http://127.0.0.1:${process.env.SANDBOX_PORT ?? 8081}`;
const name = parsed.values.name ?? username;
const adminHeaders = { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' };

// The operator token is checked first, so a wrong one does not leave a bot in the sandbox that the platform never heard of.
const check = await request(`${usersUrl}/admin/bots`, { headers: adminHeaders }, 'the users admin API (is `npm start` running?)');
if (!check.ok) fail(`the users admin API refused the operator token (HTTP ${check.status}): ${describe(check.body)}`);

const created = await request(
  `${sandboxUrl}/sandbox/api/bots`,
  { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, firstName: name }) },
  'the Telegram sandbox (is `npm start` running without TELEGRAM_BOT_TOKEN?)',
);
if (!created.ok) fail(`the sandbox did not create @${username}: ${describe(created.body)}`);
const bot = created.body;
console.log(`1/2 sandbox: created @${bot.username} (id ${bot.id}), token ${bot.token}`);

const registered = await request(
  `${usersUrl}/admin/bots`,
  { method: 'POST', headers: adminHeaders, body: JSON.stringify({ name, token: bot.token, ownerTelegramUserId: parsed.values.owner }) },
  'the users admin API',
);
if (!registered.ok) fail(`the platform did not register @${bot.username} (HTTP ${registered.status}): ${describe(registered.body)}`);
console.log(`2/2 platform: registered bot ${registered.body.botId}; its admin API token (shown once): ${registered.body.apiToken}`);
console.log(`chat with it at ${sandboxUrl}/?bot=${bot.id}`);

async function request(url, init, what) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    fail(`cannot reach ${what} at ${url}: ${error.cause?.code ?? error.message}`);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { ok: response.ok, status: response.status, body };
}

function describe(body) {
  if (body && typeof body === 'object') return [body.code, body.error ?? body.message].filter(Boolean).join(': ') || JSON.stringify(body);
  return String(body);
}

function fail(message) {
  console.error(`bot:add: ${message}`);
  process.exit(1);
}
