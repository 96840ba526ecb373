import type { SandboxChat } from '@botplatform/telegram-sandbox';
import { sleep } from '@botplatform/testing';
import type { Message } from 'grammy/types';
import type { ChaosEnvironment } from '../chaos-environment.js';
import type { ChaosOptions } from '../chaos-options.js';
import { queryDatabase } from '../postgres.js';
import { summarizeRecovery, type ScenarioResult } from '../report.js';
import { PURCHASE_SERVICES } from '../service-process.js';
import { faultSchedule } from './starts.scenario.js';

const PLAN_NAME = 'Chaos month';
const PRICE_STARS = 50;
/** How long one step of a member's purchase (a menu, a card, an invoice) is waited for before it is tried again. */
const STEP_TIMEOUT_MS = 8_000;
/** A member gives up buying after this long; what they paid by then is still counted and checked. */
const MEMBER_PATIENCE_MS = 150_000;
const LEAD_IN_MS = 2_000;

type Purchase = { member: number; paid: boolean; attempts: number; payAttempts: number; error?: string };

const text = (message: Message) => message.text ?? '';

/**
 * The money path under the faults production sees: N members each buy a 31-day plan for Stars
 * (`/plans` → the plan's card → Buy → the invoice → pay), paced over a schedule of kill -9 of payments,
 * subscriptions and the gateway in turn and broker outages. A member whose step goes unanswered tries
 * it again, as a person would; a checkout declined while payments is away is paid again. Every charge
 * Telegram (the sandbox) took must be granted exactly once: one `SubscriptionStarted` per paying
 * member, one `PaymentCompleted` per charge, and nobody charged twice.
 */
export async function runPurchasesScenario(environment: ChaosEnvironment, options: ChaosOptions, log: (line: string) => void): Promise<ScenarioResult> {
  const { bot } = environment;
  await createPlan(environment);
  const rssBefore = await environment.rss();
  const faults = faultSchedule(options.kills, options.outages, PURCHASE_SERVICES);
  const plannedMs = LEAD_IN_MS + faults.reduce((sum, f) => sum + (f.kind === 'kill' ? options.restartDelayMs : options.outageMs) + options.faultGapMs, 0);
  const rate = Math.max(0.5, (options.purchases * 1_000) / plannedMs);
  log(`  ${options.purchases} members buy at ${rate.toFixed(1)}/s; ${faults.length} faults over ~${Math.round(plannedMs / 1_000)} s`);

  const purchases: Purchase[] = [];
  const buying: Promise<void>[] = [];
  const load = (async () => {
    for (let i = 0; i < options.purchases; i++) {
      const user = environment.sandbox.createUser({ firstName: `Buyer ${i + 1}`, languageCode: 'en' });
      const purchase: Purchase = { member: user.id, paid: false, attempts: 0, payAttempts: 0 };
      purchases.push(purchase);
      buying.push(buyOnce(environment.sandbox.chat(user, bot.sandbox), purchase));
      await sleep(1_000 / rate);
    }
  })();

  const recoveries: { label: string; restoredAt: number; paidMs?: number }[] = [];
  await sleep(LEAD_IN_MS);
  for (const fault of faults) {
    let label: string;
    if (fault.kind === 'kill') {
      label = `kill -9 ${fault.service}`;
      await environment.service(fault.service).kill();
      await sleep(options.restartDelayMs);
      environment.service(fault.service).start();
    } else {
      label = `broker outage ${options.outageMs / 1_000} s`;
      await environment.broker.server.stop();
      await sleep(options.outageMs);
      await environment.broker.server.restart();
    }
    recoveries.push({ label, restoredAt: Date.now() });
    log(`  ${label} (paid so far ${purchases.filter((p) => p.paid).length}/${purchases.length})`);
    await sleep(options.faultGapMs);
  }
  await load;
  await Promise.all(buying);
  const charges = environment.sandbox.payments(bot.sandbox);
  log(`  load done: ${purchases.filter((p) => p.paid).length} paid, ${charges.length} charges; settling (up to ${options.settleTimeoutMs / 1_000} s)`);

  // Settle: every charge granted, or nothing changing any more.
  const settleStart = Date.now();
  let grants = await grantsByMember(environment);
  let lastChange = Date.now();
  for (;;) {
    const missing = charges.filter((c) => !grants.has(c.userId)).length;
    if (missing === 0 || Date.now() - settleStart > options.settleTimeoutMs || Date.now() - lastChange > options.giveUpAfterMs) break;
    await sleep(500);
    const next = await grantsByMember(environment);
    if ([...next.values()].reduce((a, b) => a + b, 0) !== [...grants.values()].reduce((a, b) => a + b, 0)) lastChange = Date.now();
    grants = next;
  }
  const settledMs = Date.now() - settleStart;
  const completions = await completionsByCharge(environment);

  const chargesByMember = new Map<number, number>();
  for (const charge of charges) chargesByMember.set(charge.userId, (chargesByMember.get(charge.userId) ?? 0) + 1);
  const chargedTwice = [...chargesByMember.values()].filter((n) => n > 1).length;
  const grantedTwice = [...grants.values()].filter((n) => n > 1).length;
  const completedTwice = [...completions.values()].filter((n) => n > 1).length;
  const notGranted = charges.filter((c) => !grants.has(c.userId)).length;
  const notCompleted = charges.filter((c) => !completions.has(c.chargeId)).length;
  const grantedUnpaid = [...grants.keys()].filter((member) => !chargesByMember.has(member)).length;
  const gaveUp = purchases.filter((p) => !p.paid);

  // Recovery of a fault: from its undoing to the first charge after it.
  const chargeTimes = charges.map((c) => c.date * 1_000).sort((a, b) => a - b);
  for (const r of recoveries) {
    const next = chargeTimes.find((t) => t >= r.restoredAt - 999);
    if (next !== undefined) r.paidMs = Math.max(0, next - r.restoredAt);
  }

  const failures: string[] = [];
  if (chargedTwice) failures.push(`${chargedTwice} members charged more than once`);
  if (grantedTwice) failures.push(`${grantedTwice} members granted more than once`);
  if (completedTwice) failures.push(`${completedTwice} charges completed more than once`);
  if (notGranted) failures.push(`${notGranted} of ${charges.length} charges never granted`);
  if (notCompleted) failures.push(`${notCompleted} of ${charges.length} charges never completed in payments`);
  if (grantedUnpaid) failures.push(`${grantedUnpaid} members granted without a charge`);
  if (gaveUp.length > options.purchases / 10)
    failures.push(`${gaveUp.length} of ${options.purchases} members could not pay within ${MEMBER_PATIENCE_MS / 1_000} s`);
  const notes = [
    `charges ${charges.length}, payments completed ${completions.size}, subscriptions granted ${grants.size}; members gave up ${gaveUp.length}` +
      `${gaveUp.length ? ` (e.g. ${gaveUp[0]!.error ?? 'no answer'})` : ''}; settled ${(settledMs / 1_000).toFixed(1)} s after the load`,
    `tries per member: steps ${summary(purchases.map((p) => p.attempts))}, payments ${summary(purchases.map((p) => p.payAttempts))}`,
    ...recoveries.map(
      (r) => `${r.label.padEnd(22)} recovered: next charge ${r.paidMs === undefined ? 'never' : `${(r.paidMs / 1_000).toFixed(1)} s`} after the restore`,
    ),
    ...environment.unexpectedExits.map((exit) => `${exit.service} exited on its own (${exit.signal ?? `code ${exit.code}`})`),
  ];
  return {
    scenario: 'purchases',
    sent: options.purchases,
    applied: grants.size,
    answered: charges.length,
    lost: notGranted + notCompleted,
    doubled: chargedTwice + grantedTwice + completedTwice,
    recovery: summarizeRecovery(recoveries.map((r) => r.paidMs)),
    rssBefore,
    rssAfter: await environment.rss(),
    failures,
    notes,
    details: { rate, purchases, settledMs, faults: recoveries },
  };
}

/** The bot's owner puts one plan on sale over the subscriptions admin API, with the bot's own token. */
async function createPlan(environment: ChaosEnvironment): Promise<void> {
  const { bot } = environment;
  const response = await fetch(`http://127.0.0.1:${environment.service('subscriptions').httpPort}/admin/bots/${bot.botId}/plans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bot.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      texts: [{ language: 'en', name: PLAN_NAME, description: 'Premium for a month' }],
      // 31 days: a one-off invoice (a 30-day plan is sold as a Stars subscription).
      periodDays: 31,
      prices: [{ currency: 'XTR', amount: String(PRICE_STARS) }],
      quotaLevel: 'premium',
      active: true,
    }),
  });
  if (response.status !== 201) throw new Error(`creating the plan answered ${response.status}: ${await response.text()}`);
}

/**
 * One member buys the plan once, trying each unanswered step again. Once an invoice has arrived it
 * is the one paid (a second Buy would only send another invoice for the same plan); a checkout that
 * is declined or times out is paid again after a pause.
 */
async function buyOnce(chat: SandboxChat, purchase: Purchase): Promise<void> {
  const giveUpAt = Date.now() + MEMBER_PATIENCE_MS;
  let invoice: Message | undefined;
  while (!purchase.paid && Date.now() < giveUpAt) {
    try {
      if (!invoice) {
        purchase.attempts++;
        const menu = chat.waitForMessage((m) => text(m) === 'Choose a plan:', { timeoutMs: STEP_TIMEOUT_MS });
        chat.sendCommand('plans');
        await chat.pressCallbackButton(await menu, `${PLAN_NAME} · ⭐ ${PRICE_STARS}`, { timeoutMs: STEP_TIMEOUT_MS });
        const card = await chat.waitForEdit((m) => text(m).startsWith(PLAN_NAME), { timeoutMs: STEP_TIMEOUT_MS });
        const arrived = chat.waitForMessage((m) => m.invoice !== undefined, { timeoutMs: STEP_TIMEOUT_MS });
        await chat.pressCallbackButton(card, 'Buy', { timeoutMs: STEP_TIMEOUT_MS });
        invoice = await arrived;
      }
      purchase.payAttempts++;
      const outcome = await chat.payInvoice(invoice);
      if (outcome.status === 'paid') {
        purchase.paid = true;
        return;
      }
      purchase.error = `checkout ${outcome.status}${'errorMessage' in outcome ? `: ${outcome.errorMessage}` : ''}`;
    } catch (error) {
      purchase.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
    }
    await sleep(1_000);
  }
}

/** Grants per member: the subscription events that started or extended a period, in the subscriptions database. */
async function grantsByMember(environment: ChaosEnvironment): Promise<Map<number, number>> {
  const rows = await queryDatabase<{ stream_id: string; grants: string }>(
    environment.database('subscriptions'),
    `SELECT stream_id, count(*) AS grants FROM subscriptions.event_store_events
      WHERE stream_id LIKE $1 AND type IN ('SubscriptionStarted', 'SubscriptionExtended') GROUP BY stream_id`,
    [`subscription-${environment.bot.botId}-%`],
  );
  return new Map(rows.map((row) => [Number(row.stream_id.slice(row.stream_id.lastIndexOf('-') + 1)), Number(row.grants)]));
}

/** `PaymentCompleted` events per Telegram charge id, in the payments database. */
async function completionsByCharge(environment: ChaosEnvironment): Promise<Map<string, number>> {
  const rows = await queryDatabase<{ charge_id: string; completions: string }>(
    environment.database('payments'),
    `SELECT data->>'chargeId' AS charge_id, count(*) AS completions FROM payments.event_store_events
      WHERE type = 'PaymentCompleted' GROUP BY 1`,
  );
  return new Map(rows.map((row) => [row.charge_id, Number(row.completions)]));
}

function summary(values: readonly number[]): string {
  if (!values.length) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}`;
}
