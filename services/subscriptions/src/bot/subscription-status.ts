import type { FeatureContext } from '@botplatform/bot-kit';
import { isRunning, type Period, type SubscriptionView } from '../subscription/subscription.decider.js';
import { formatMoment } from './formatting.js';

/**
 * The renewal of a running period: off; on from the wallet with the next attempt's time (and the last
 * failure, if any) or failed for good with the reason; or on, renewed by Telegram (a Stars subscription).
 */
function renewalLines(ctx: FeatureContext, period: Period): string[] {
  if (period.renewalCancelled) return [ctx.t('status-renewal-off')];
  const wallet = period.walletRenewal;
  if (!wallet) return [ctx.t('status-renewal-on')];
  const reason = wallet.lastFailure ? ctx.t(`renewal-reason-${wallet.lastFailure}`) : '';
  if (wallet.nextAttemptAt === null) return [ctx.t('status-renewal-wallet-over', { reason, end: formatMoment(period.endsAt, ctx.timeZone) })];
  return [
    ctx.t('status-renewal-wallet', { next: formatMoment(wallet.nextAttemptAt, ctx.timeZone) }),
    ...(wallet.lastFailure ? [ctx.t('status-renewal-wallet-failed', { reason })] : []),
  ];
}

/**
 * A member's subscription as lines of text in the reader's language, ends in the bot's time zone: the
 * running period (plan or trial, its end, renewal), else when it ended; the credits left; or none.
 */
export function statusLines(ctx: FeatureContext, view: SubscriptionView, planName: (planId: string) => string, now: Date): string[] {
  const lines: string[] = [];
  const { period } = view;
  if (isRunning(period, now.toISOString())) {
    lines.push(ctx.t(period.trial ? 'status-trial' : 'status-plan', { name: planName(period.planId) }));
    lines.push(ctx.t('status-until', { end: formatMoment(period.endsAt, ctx.timeZone) }));
    if (!period.trial) lines.push(...renewalLines(ctx, period));
  } else if (view.period && view.credits === 0) {
    // The last period, past its end (the type guard above cannot tell "not running" from "none").
    lines.push(ctx.t('status-ended', { end: formatMoment(view.period.endsAt, ctx.timeZone) }));
  }
  if (view.credits > 0) lines.push(ctx.t('status-credits', { credits: view.credits }));
  if (lines.length === 0) lines.push(ctx.t('status-none'));
  return lines;
}
