import type { RecordedEvent } from '@botplatform/event-store';
import { timerProjection } from '@botplatform/scheduler';
import type { PaymentEvent } from '../payment/payment.decider.js';

export const WALLET_GRANT_TIMER = 'payments.wallet-grant';

/**
 * How long after a wallet payment's completion its grant is checked: the payment's own request grants
 * right after the commit, so the timer is only the safety net for a grant that failed (subscriptions
 * away) or never ran (the process died between the commit and the grant).
 */
export const WALLET_GRANT_GRACE_MS = 5_000;

export interface WalletGrantPayload {
  readonly paymentId: string;
}

/**
 * The payments service's schedule of grant checks: each wallet payment's completion schedules one timer
 * `payments.wallet-grant` / `<paymentId>` in the completion's own transaction (the append of
 * `PaymentCompleted`), so the check exists exactly when the payment is completed, whatever happens to the
 * request after the commit.
 */
export const walletGrantTimers = timerProjection<PaymentEvent>('payments.wallet-grant-timers', (event: RecordedEvent<PaymentEvent>) =>
  // A renewal's charge is not granted by payments (subscriptions extends the period under its key).
  event.type === 'PaymentCompleted' && event.data.provider === 'wallet' && !event.data.renewal
    ? {
        schedule: {
          kind: WALLET_GRANT_TIMER,
          key: event.data.paymentId,
          dueAt: new Date(Date.parse(event.data.completedAt) + WALLET_GRANT_GRACE_MS),
          payload: { paymentId: event.data.paymentId } satisfies WalletGrantPayload,
        },
      }
    : undefined,
);
