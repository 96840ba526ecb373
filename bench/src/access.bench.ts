import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { RPC, type PlanDefinitionJson } from '@botplatform/contracts';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { subscriptionsService } from '@botplatform/subscriptions';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { BenchLine } from './report.js';
import { perSecond, percentile, runWorkers } from './timing.js';

/** `BENCH_ACCESS_MEMBERS` overrides it. Half of them get a plan, so both answers (yes and no) are read. */
const MEMBERS = Number(process.env.BENCH_ACCESS_MEMBERS ?? 5_000);
const CHECKS = Number(process.env.BENCH_ACCESS_CHECKS ?? 40_000);
/** Callers at once: a gateway answering many chats, each asking before it serves a paid feature. */
const CONCURRENCY = 32;
const GRANT_CONCURRENCY = 16;
const FIRST_MEMBER = 8_000_000_000;

const MONTH: PlanDefinitionJson = {
  texts: [{ language: 'en', name: 'Month', description: '' }],
  periodDays: 30,
  prices: [{ currency: 'XTR', amount: '250' }],
  quotaLevel: 'premium',
  active: true,
};

/**
 * Access checks: `rpc.subscriptions.access` answered by the subscriptions service as `npm start` runs it
 * (startService, the in-process request/reply, the DTO validation pipe, the observability interceptor,
 * one read of the access projection and the answer computed at the service's clock), against the raw
 * baseline: the same row read by one indexed `SELECT` on a pool of the same size. The same members, the
 * same order, the same concurrency.
 */
export async function runAccessBench(databaseUrl: string, log: (line: string) => void): Promise<BenchLine[]> {
  const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
  const broker = new InProcessBroker();
  let service: RunningService | undefined;
  const rpc = createRpcClient({ kind: 'in-process', broker });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  try {
    service = await startService(subscriptionsService, { databaseUrl, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    const botId = randomUUID();
    const planId = randomUUID();
    await rpc.call(RPC.subscriptions.createPlan, { planId, botId, plan: MONTH });
    const members = Array.from({ length: MEMBERS }, (_, i) => String(FIRST_MEMBER + i));
    const subscribed = members.filter((_, i) => i % 2 === 0);
    const grantStart = performance.now();
    await runWorkers(GRANT_CONCURRENCY, subscribed.length, async (_, i) => {
      await rpc.call(RPC.subscriptions.grantSubscription, {
        grantId: randomUUID(),
        botId,
        telegramUserId: subscribed[i],
        planId,
        source: 'SUBSCRIPTION_SOURCE_ADMIN',
        grantedBy: 'bench',
      });
    });
    const grantsPerSecond = perSecond(subscribed.length, performance.now() - grantStart);
    // A fixed pseudo-random order, the same for both sides.
    const order = Array.from({ length: CHECKS }, (_, i) => members[(i * 7_919) % members.length]);

    const oursSamples: number[] = [];
    let granted = 0;
    const oursStart = performance.now();
    await runWorkers(CONCURRENCY, CHECKS, async (_, i) => {
      const started = performance.now();
      const reply = await rpc.call(RPC.subscriptions.access, { botId, telegramUserId: order[i] });
      oursSamples.push(performance.now() - started);
      if (reply.hasAccess) granted++;
    });
    const oursRate = perSecond(CHECKS, performance.now() - oursStart);
    const expectedGranted = order.filter((id) => (Number(id) - FIRST_MEMBER) % 2 === 0).length;
    if (granted !== expectedGranted) throw new Error(`access answered yes ${granted} times, expected ${expectedGranted}`);

    const rawSamples: number[] = [];
    let rawFound = 0;
    const select = {
      name: 'bench-access',
      text: 'SELECT view, ends_at FROM subscriptions.subscription_access WHERE bot_id = $1 AND telegram_user_id = $2',
    };
    const rawStart = performance.now();
    await runWorkers(CONCURRENCY, CHECKS, async (_, i) => {
      const started = performance.now();
      const { rows } = await pool.query({ ...select, values: [botId, order[i]] });
      rawSamples.push(performance.now() - started);
      if (rows.length) rawFound++;
    });
    const rawRate = perSecond(CHECKS, performance.now() - rawStart);
    if (rawFound !== expectedGranted) throw new Error(`the raw SELECT found ${rawFound} rows, expected ${expectedGranted}`);

    log(
      `  ${CHECKS.toLocaleString('en')} checks of ${MEMBERS.toLocaleString('en')} members (${subscribed.length.toLocaleString('en')} subscribed, granted at ${grantsPerSecond.toFixed(0)}/s), ${CONCURRENCY} at once: ` +
        `ours ${oursRate.toFixed(0)}/s (p50 ${percentile(oursSamples, 50).toFixed(2)} ms, p99 ${percentile(oursSamples, 99).toFixed(2)} ms), ` +
        `raw SELECT ${rawRate.toFixed(0)}/s (p50 ${percentile(rawSamples, 50).toFixed(2)} ms, p99 ${percentile(rawSamples, 99).toFixed(2)} ms)`,
    );
    return [
      {
        scenario: 'access',
        line: 'access checks (rpc.subscriptions.access, in-process)',
        unit: 'checks/s',
        better: 'higher',
        ours: oursRate,
        raw: rawRate,
        details: { members: MEMBERS, checks: CHECKS, concurrency: CONCURRENCY, grantsPerSecond },
      },
      {
        scenario: 'access',
        line: 'access check p99',
        unit: 'ms',
        better: 'lower',
        ours: percentile(oursSamples, 99),
        raw: percentile(rawSamples, 99),
        details: { oursP50Ms: percentile(oursSamples, 50), rawP50Ms: percentile(rawSamples, 50) },
      },
    ];
  } finally {
    await rpc.close();
    await service?.close();
    await bus.close();
    await pool.end();
  }
}
