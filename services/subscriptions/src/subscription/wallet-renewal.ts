import type { RenewalFailureReason, SubscriptionState } from './subscription.decider.js';

/**
 * The wallet renewal's schedule (pure): a period renewed from the wallet gets its first attempt
 * `RENEWAL_LEAD_MS` before its end (a short period: not before half its time), a failed attempt is tried
 * again after `RENEWAL_RETRIES_MS` (1 h, then 6 h), then once more `FINAL_ATTEMPT_BEFORE_END_MS` before the
 * end; after that one the period expires at its end with the last failure's reason.
 */
export const RENEWAL_LEAD_MS = 24 * 3_600_000;
export const RENEWAL_RETRIES_MS: readonly number[] = [3_600_000, 6 * 3_600_000];
/** The last attempt runs while the period still runs, so a success extends it before the expiry fires. */
export const FINAL_ATTEMPT_BEFORE_END_MS = 10 * 60_000;

/** The first attempt, the retries and the final one. */
export const RENEWAL_ATTEMPTS = RENEWAL_RETRIES_MS.length + 2;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The first attempt for a period ending at `endsAt` that started (or was extended) at `from`. */
export function firstRenewalAttemptAt(from: string, endsAt: string): string {
  const start = Date.parse(from);
  const end = Date.parse(endsAt);
  return iso(Math.max(end - RENEWAL_LEAD_MS, start + Math.floor((end - start) / 2)));
}

/** The attempt after attempt `failed` failed at `failedAt`: a retry, the final one before the end, or none (null). */
export function nextRenewalAttemptAt(endsAt: string, failed: number, failedAt: string): string | null {
  const final = Date.parse(endsAt) - FINAL_ATTEMPT_BEFORE_END_MS;
  const at = Date.parse(failedAt);
  // The final attempt was this one (by its number, or by its time): the period expires at its end.
  if (failed >= RENEWAL_ATTEMPTS || at >= final) return null;
  const retry = RENEWAL_RETRIES_MS[failed - 1];
  return iso(retry === undefined ? final : Math.min(at + retry, final));
}

/**
 * The idempotency key of a period's renewal: the subscription's stream and the end being renewed. Every
 * attempt of the period (retries, a redelivered timer, another replica) carries the same key, so payments
 * charges it once; the extension is granted under it too, so it is granted once.
 */
export const renewalKey = (streamId: string, endsAt: string): string => `renewal:${streamId}:${endsAt}`;

/** Why a renewal timer attempts nothing. */
export type RenewalSkip = 'not_running' | 'other_period' | 'renewal_cancelled' | 'not_renewable' | 'stale_attempt' | 'renewed';

export type RenewalDecision = { readonly attempt: { readonly key: string; readonly planId: string } } | { readonly skip: RenewalSkip };

/**
 * Whether the renewal timer of attempt `attempt` for the period ending at `endsAt` charges now: only the
 * running period with that end, renewal on, renewed from the wallet (not a trial, not a Stars
 * subscription), and only the attempt that is next (a stale or doubled timer does nothing).
 */
export function renewalAttemptOf(
  state: SubscriptionState,
  streamId: string,
  timer: { readonly endsAt: string; readonly attempt: number; readonly now: string },
): RenewalDecision {
  const { period } = state.view;
  if (!period?.open || Date.parse(period.endsAt) <= Date.parse(timer.now)) return { skip: 'not_running' };
  if (period.endsAt !== timer.endsAt) return { skip: 'other_period' };
  const key = renewalKey(streamId, period.endsAt);
  if (state.grantIds.has(key)) return { skip: 'renewed' };
  if (period.renewalCancelled) return { skip: 'renewal_cancelled' };
  const renewal = period.walletRenewal;
  if (!renewal || period.trial) return { skip: 'not_renewable' };
  if (timer.attempt !== renewal.failures + 1 || renewal.nextAttemptAt === null) return { skip: 'stale_attempt' };
  return { attempt: { key, planId: period.planId } };
}

/** A failed attempt's reason from payments' error code. */
export function renewalFailureOf(code: string | undefined): RenewalFailureReason {
  if (code === 'PAYMENTS.INSUFFICIENT_BALANCE') return 'insufficient_balance';
  if (code === 'PAYMENTS.PLAN_NOT_FOR_SALE') return 'plan_unavailable';
  return 'payments_unavailable';
}
