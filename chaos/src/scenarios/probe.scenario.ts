import { RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import type { ChaosEnvironment } from '../chaos-environment.js';
import type { ScenarioResult } from '../report.js';

const PROBE_TIMEOUT_MS = 5_000;

/**
 * A NATS client with no credentials at all asks `rpc.users.get-bot-credentials` for the bot. It must
 * be refused (no connection, no permission, or no answer); an answer is tolerated only if the bot's
 * token appears nowhere in it.
 */
export async function runProbeScenario(environment: ChaosEnvironment, _options: unknown, log: (line: string) => void): Promise<ScenarioResult> {
  const rssBefore = await environment.rss();
  const anonymous = new RpcClient(
    ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: environment.broker.url, maxReconnectAttempts: 0 } }),
    PROBE_TIMEOUT_MS,
  );
  let outcome: { kind: 'refused'; reason: string } | { kind: 'answered'; text: string };
  try {
    const reply = await Promise.race([
      anonymous.call(RPC.users.getBotCredentials, { botId: environment.bot.botId }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS * 2} ms`)), PROBE_TIMEOUT_MS * 2).unref()),
    ]);
    outcome = { kind: 'answered', text: JSON.stringify(reply) };
  } catch (error) {
    outcome = { kind: 'refused', reason: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  } finally {
    await Promise.resolve(anonymous.close()).catch(() => undefined);
  }
  const leaked = outcome.kind === 'answered' && outcome.text.includes(environment.bot.sandbox.token);
  const note =
    outcome.kind === 'refused'
      ? `anonymous client refused: ${outcome.reason}`
      : `anonymous client answered ${leaked ? 'WITH the bot token' : 'without the token'}: ${outcome.text.replaceAll(environment.bot.sandbox.token, '<BOT TOKEN>').slice(0, 300)}`;
  log(`  ${note}`);
  return {
    scenario: 'probe',
    sent: 1,
    applied: 0,
    answered: outcome.kind === 'answered' ? 1 : 0,
    lost: 0,
    doubled: 0,
    rssBefore,
    rssAfter: await environment.rss(),
    failures: leaked ? ['an anonymous NATS client got the bot token from rpc.users.get-bot-credentials'] : [],
    notes: [note],
    details: { outcome: outcome.kind, leaked },
  };
}
