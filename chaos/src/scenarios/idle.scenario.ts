import { RPC } from '@botplatform/contracts';
import { sleep } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import type { ChaosEnvironment } from '../chaos-environment.js';
import type { ChaosOptions } from '../chaos-options.js';
import { transactionCounts } from '../postgres.js';
import type { ScenarioResult } from '../report.js';
import { SERVICE_NAMES, type ServiceName } from '../service-process.js';
import { StartLoad, isGreetingOf } from '../start-load.js';

/** Recipients of the outbound messages; Telegram allows a bot 1 message/s per chat, so spread them. */
const MAX_CHATS = 100;
const STARTS_PER_SECOND = 20;
const REQUESTS_IN_FLIGHT = 10;
/** Statistics reach pg_stat_database up to about a second late: let the last deliveries' arrive first. */
const STATS_FLUSH_MS = 2_000;
const TEXT_PREFIX = 'chaos outbound #';

/**
 * Outbound messages requested through `rpc.notifications.send-message` to users who started the bot,
 * each delivered once; then, with nothing left to do, the gateway's database must see fewer than the
 * bound's transactions per second (an idle worker must not poll the database hot).
 */
export async function runIdleScenario(environment: ChaosEnvironment, options: ChaosOptions, log: (line: string) => void): Promise<ScenarioResult> {
  const rssBefore = await environment.rss();
  const failures: string[] = [];
  const notes: string[] = [];

  const recipients = new StartLoad(environment.sandbox, environment.bot.sandbox, 'Reader', isGreetingOf(environment.bot.name));
  await recipients.pace(Math.min(MAX_CHATS, Math.max(1, options.outbound)), STARTS_PER_SECOND);
  await recipients.waitAllAnswered(Date.now() + options.settleTimeoutMs);
  recipients.stop();
  const chats = recipients.sent.filter((start) => start.answeredAt !== undefined).map((start) => start.chat);
  if (chats.length < recipients.sent.length)
    notes.push(`${recipients.sent.length - chats.length} of ${recipients.sent.length} recipients' /start never answered; they get no messages`);
  if (!chats.length) throw new Error('no recipient was ever answered by the bot: nothing to send to');

  const rpc = environment.rpc();
  let accepted = 0;
  const rpcErrors: string[] = [];
  let next = 0;
  const requester = async () => {
    while (next < options.outbound) {
      const index = next++;
      const chat = chats[index % chats.length];
      try {
        const reply = await rpc.call(RPC.notifications.sendMessage, {
          requestId: randomUUID(),
          botId: environment.bot.botId,
          chatId: String(chat.chatId),
          text: `${TEXT_PREFIX}${index}`,
          purpose: 'chaos:idle',
        });
        if (reply.accepted) accepted++;
      } catch (error) {
        rpcErrors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  const requestedAt = Date.now();
  await Promise.all(Array.from({ length: REQUESTS_IN_FLIGHT }, requester));
  log(`  ${options.outbound} send requests to ${chats.length} chats: ${accepted} accepted, ${rpcErrors.length} failed; waiting for delivery`);

  const delivered = () => {
    const counts = new Map<string, number>();
    for (const chat of chats) {
      for (const message of chat.botMessages()) {
        if (message.text?.startsWith(TEXT_PREFIX)) counts.set(message.text, (counts.get(message.text) ?? 0) + 1);
      }
    }
    return counts;
  };
  const deadline = Date.now() + options.settleTimeoutMs;
  let lastSize = -1;
  let lastProgressAt = Date.now();
  for (;;) {
    const size = delivered().size;
    if (size !== lastSize) {
      lastSize = size;
      lastProgressAt = Date.now();
    }
    if (size >= options.outbound || Date.now() > deadline || Date.now() - lastProgressAt > options.giveUpAfterMs) break;
    await sleep(250);
  }
  const deliveredMs = Date.now() - requestedAt;

  await sleep(STATS_FLUSH_MS);
  const databases = SERVICE_NAMES.map((name) => environment.database(name));
  const before = await transactionCounts(databases);
  const windowStart = Date.now();
  await sleep(options.idleWindowMs);
  const after = await transactionCounts(databases);
  const windowSeconds = (Date.now() - windowStart) / 1_000;
  const tps = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const db = environment.database(name).name;
      return [name, ((after.get(db) ?? 0) - (before.get(db) ?? 0)) / windowSeconds];
    }),
  ) as Record<ServiceName, number>;

  const counts = delivered();
  const doubled = [...counts.values()].filter((n) => n > 1).length;
  const lost = options.outbound - counts.size;
  if (tps.gateway >= options.idleBoundTps)
    failures.push(`idle gateway did ${tps.gateway.toFixed(1)} database transactions/s (bound < ${options.idleBoundTps})`);
  if (lost > 0) failures.push(`${lost} of ${options.outbound} outbound messages never delivered`);
  if (doubled > 0) failures.push(`${doubled} outbound messages delivered more than once`);
  if (rpcErrors.length) failures.push(`${rpcErrors.length} send requests failed, e.g. ${rpcErrors[0]}`);
  notes.unshift(
    `idle transactions/s over ${windowSeconds.toFixed(1)} s: ${SERVICE_NAMES.map((name) => `${name} ${tps[name].toFixed(1)}`).join(', ')}`,
    `${counts.size} delivered ${(deliveredMs / 1_000).toFixed(1)} s after the first request`,
  );
  notes.push(...environment.unexpectedExits.map((exit) => `${exit.service} exited on its own (${exit.signal ?? `code ${exit.code}`})`));
  return {
    scenario: 'idle',
    sent: options.outbound,
    applied: accepted,
    answered: counts.size,
    lost,
    doubled,
    rssBefore,
    rssAfter: await environment.rss(),
    failures,
    notes,
    details: { transactionsPerSecond: tps, deliveredMs, chats: chats.length, rpcErrors: rpcErrors.slice(0, 5) },
  };
}
