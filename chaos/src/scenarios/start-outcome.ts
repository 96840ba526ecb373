import { sleep } from '@botplatform/testing';
import type { ChaosEnvironment } from '../chaos-environment.js';
import { queryDatabase } from '../postgres.js';
import type { StartLoad } from '../start-load.js';

/** What became of a load of `/start`s, from the users' side and from the users service's tables. */
export interface StartOutcome {
  readonly sent: number;
  /** Senders with a row in the memberships read model. */
  readonly memberships: number;
  /**
   * Senders the notifications service knows as recipients: their `UserRegistered` went users → relay →
   * JetStream → notifications' consumer, the path a stalled relay or consumer breaks.
   */
  readonly recipients: number;
  /** Senders the bot greeted (an error reply is no answer). */
  readonly answered: number;
  /**
   * Unanswered senders whose greeting was on its way when the gateway was killed: the journal row was
   * marked `answering` (the request was about to leave or had left) within {@link ANSWER_IN_FLIGHT_MS}
   * before a gateway kill. ADR 0009 chooses this side of the crash: Telegram has no idempotency for
   * sends, so an answer in flight at a kill may be missing, never doubled. Counted, not failed.
   */
  readonly unansweredInFlightAtKill: number;
  /** Senders with no answer (outside the in-flight window), or no membership, whichever is more. */
  readonly lost: number;
  /** Senders answered more than once, or registered (`UserRegistered`) more than once, whichever is more. */
  readonly doubled: number;
  readonly doubledReplies: number;
  readonly doubledRegistrations: number;
  /** Senders who got an error reply (the error boundary's), whether or not a greeting came too. */
  readonly errorReplies: number;
  /** How long the system took after the load to answer everything (or until the wait ended). */
  readonly settledMs: number;
  readonly settled: boolean;
}

/** Kept watching after everything arrived, for late duplicates (a redelivered update). */
const DUPLICATE_WATCH_MS = 3_000;

/**
 * How long before a gateway kill an `answering` mark still counts as "in flight at the kill". A mark
 * is written just before the Bot API call leaves; the call then takes milliseconds, or its auto-retry
 * waits (a refusal takes the mark back). A mark older than this at the kill, with no answer, is a loss.
 */
const ANSWER_IN_FLIGHT_MS = 5_000;

/**
 * Waits, within `timeoutMs`, until every sender is answered and has a membership (or nothing changed
 * for `giveUpAfterMs`), then counts. Stops the load's answer polling.
 */
export async function settleStarts(
  environment: ChaosEnvironment,
  load: StartLoad,
  {
    timeoutMs,
    giveUpAfterMs,
    gatewayKilledAt = [],
  }: {
    timeoutMs: number;
    giveUpAfterMs: number;
    /** When the scenario killed the gateway with -9 (epoch ms): the moments an answer may have been cut off. */
    gatewayKilledAt?: readonly number[];
  },
): Promise<StartOutcome> {
  const began = Date.now();
  const deadline = began + timeoutMs;
  let lastProgressAt = began;
  let last = '';
  let settled = false;
  for (;;) {
    const memberships = await countMemberships(environment, load).catch(() => -1);
    const recipients = await countRecipients(environment, load).catch(() => -1);
    const state = `${load.answeredCount}/${memberships}/${recipients}`;
    if (state !== last) {
      last = state;
      lastProgressAt = Date.now();
    }
    if (load.answeredCount === load.sent.length && memberships === load.sent.length && recipients === memberships) {
      settled = true;
      break;
    }
    if (Date.now() > deadline || Date.now() - lastProgressAt > giveUpAfterMs) break;
    await sleep(500);
  }
  const settledMs = Date.now() - began;
  await sleep(DUPLICATE_WATCH_MS);
  load.stop();

  const sent = load.sent.length;
  const memberships = await countMemberships(environment, load);
  const recipients = await countRecipients(environment, load);
  const doubledReplies = load.doubledUsers().length;
  const doubledRegistrations = await countDoubleRegistrations(environment, load);
  const unansweredInFlightAtKill = await countInFlightAtKill(environment, load, gatewayKilledAt);
  return {
    sent,
    memberships,
    recipients,
    answered: load.answeredCount,
    unansweredInFlightAtKill,
    lost: Math.max(sent - load.answeredCount - unansweredInFlightAtKill, sent - memberships),
    doubled: Math.max(doubledReplies, doubledRegistrations),
    doubledReplies,
    doubledRegistrations,
    errorReplies: load.otherwiseRepliedUsers().length,
    settledMs,
    settled,
  };
}

const senderIds = (load: StartLoad) => load.sent.map((start) => String(start.user.id));

async function countMemberships(environment: ChaosEnvironment, load: StartLoad): Promise<number> {
  const [row] = await queryDatabase<{ n: number }>(
    environment.database('users'),
    'SELECT count(*)::int AS n FROM users.memberships WHERE bot_id = $1 AND telegram_user_id = ANY($2::bigint[])',
    [environment.bot.botId, senderIds(load)],
  );
  return row.n;
}

async function countRecipients(environment: ChaosEnvironment, load: StartLoad): Promise<number> {
  const [row] = await queryDatabase<{ n: number }>(
    environment.database('notifications'),
    'SELECT count(*)::int AS n FROM notifications.notification_recipients WHERE bot_id = $1 AND telegram_user_id = ANY($2::bigint[])',
    [environment.bot.botId, senderIds(load)],
  );
  return row.n;
}

async function countDoubleRegistrations(environment: ChaosEnvironment, load: StartLoad): Promise<number> {
  const [row] = await queryDatabase<{ n: number }>(
    environment.database('users'),
    `SELECT count(*)::int AS n FROM (
       SELECT data->>'telegramUserId' FROM users.event_store_events
       WHERE type = 'UserRegistered' AND bot_id = $1 AND data->>'telegramUserId' = ANY($2::text[])
       GROUP BY 1 HAVING count(*) > 1) AS doubled`,
    [environment.bot.botId, senderIds(load)],
  );
  return row.n;
}

/**
 * Unanswered senders whose `/start` the gateway's journal holds as `answering`, marked at most
 * {@link ANSWER_IN_FLIGHT_MS} before one of the gateway's kills.
 */
async function countInFlightAtKill(environment: ChaosEnvironment, load: StartLoad, gatewayKilledAt: readonly number[]): Promise<number> {
  const unanswered = load.sent.filter((start) => start.answeredAt === undefined).map((start) => String(start.user.id));
  if (unanswered.length === 0 || gatewayKilledAt.length === 0) return 0;
  const marks = await queryDatabase<{ marked_at_ms: number }>(
    environment.database('gateway'),
    `SELECT (extract(epoch FROM settled_at) * 1000)::float8 AS marked_at_ms FROM gateway.gateway_incoming_updates
     WHERE bot_id = $1 AND status = 'answering' AND body->'message'->'from'->>'id' = ANY($2::text[])`,
    [environment.bot.botId, unanswered],
  );
  return marks.filter(({ marked_at_ms: markedAt }) => gatewayKilledAt.some((killedAt) => killedAt >= markedAt && killedAt - markedAt <= ANSWER_IN_FLIGHT_MS))
    .length;
}

/** The outcome's failures: any loss or double fails the scenario; an answer in flight at a gateway kill does not (ADR 0009). */
export function outcomeFailures(outcome: StartOutcome): string[] {
  const failures: string[] = [];
  const unanswered = outcome.sent - outcome.answered - outcome.unansweredInFlightAtKill;
  if (unanswered > 0) {
    failures.push(
      `${unanswered} of ${outcome.sent} /starts never answered` +
        (outcome.unansweredInFlightAtKill ? ` (besides ${outcome.unansweredInFlightAtKill} whose answer was in flight at a gateway kill)` : ''),
    );
  }
  if (outcome.sent - outcome.memberships > 0) failures.push(`${outcome.sent - outcome.memberships} of ${outcome.sent} senders have no membership`);
  if (outcome.memberships - outcome.recipients > 0) {
    failures.push(`${outcome.memberships - outcome.recipients} memberships never reached notifications (users → JetStream → its consumer)`);
  }
  if (outcome.doubledReplies > 0) failures.push(`${outcome.doubledReplies} senders answered more than once`);
  if (outcome.doubledRegistrations > 0) failures.push(`${outcome.doubledRegistrations} senders registered (UserRegistered) more than once`);
  return failures;
}
