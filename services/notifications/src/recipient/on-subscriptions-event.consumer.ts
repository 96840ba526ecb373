import {
  SubscriptionExpiredSchema,
  SubscriptionExtendedSchema,
  SubscriptionReminderDueSchema,
  SubscriptionRenewalFailedSchema,
  SubscriptionRevokedSchema,
  SubscriptionSource,
  SubscriptionStartedSchema,
  int64ToNumber,
  isEventOf,
  subjectOf,
  timestampDate,
} from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { runSql } from '@botplatform/event-store';
import type { RuleDispatcher } from '../rules/rule-dispatcher.js';
import { localTime } from '../templates/local-time.js';

const DAY_MS = 86_400_000;

/**
 * Members' plans and their ends as the subscriptions service publishes them (for audiences), and the
 * subscription_started / subscription_expired / subscription_ending / trial_ending / renewal_failed rules.
 */
export function onSubscriptionsEvent(rules: RuleDispatcher): ConsumerDefinition {
  return {
    name: 'notifications--subscriptions',
    source: 'subscriptions',
    subjects: [
      subjectOf(SubscriptionStartedSchema),
      subjectOf(SubscriptionExtendedSchema),
      subjectOf(SubscriptionExpiredSchema),
      subjectOf(SubscriptionRevokedSchema),
      subjectOf(SubscriptionReminderDueSchema),
      subjectOf(SubscriptionRenewalFailedSchema),
    ],
    handle: async (event, { em }) => {
      const trigger = { sourceEventId: event.envelope.eventId, correlationId: event.envelope.correlationId, now: new Date() };
      if (isEventOf(event, SubscriptionStartedSchema)) {
        const { message } = event;
        if (!message.startedAt || !message.endsAt) throw new ParkEventError('subscriptions.subscription.started without its period');
        const telegramUserId = int64ToNumber(message.telegramUserId);
        const endsAt = timestampDate(message.endsAt);
        const trial = message.trial || message.source === SubscriptionSource.TRIAL;
        await setPlan(em, message.botId, telegramUserId, message.planId, trial, endsAt);
        await rules.dispatch(em, {
          ...trigger,
          rule: 'subscription_started',
          botId: message.botId,
          telegramUserId,
          variables: {
            plan: message.planId,
            days: Math.max(1, Math.round((endsAt.getTime() - timestampDate(message.startedAt).getTime()) / DAY_MS)),
            ends_at: localTime(endsAt, 'date'),
            trial: trial ? 'yes' : 'no',
          },
        });
      } else if (isEventOf(event, SubscriptionExtendedSchema)) {
        const { message } = event;
        if (!message.endsAt) throw new ParkEventError('subscriptions.subscription.extended without ends_at');
        await setPlan(em, message.botId, int64ToNumber(message.telegramUserId), message.planId, false, timestampDate(message.endsAt));
      } else if (isEventOf(event, SubscriptionExpiredSchema)) {
        const { message } = event;
        const telegramUserId = int64ToNumber(message.telegramUserId);
        await setPlan(em, message.botId, telegramUserId, null, null, null);
        await rules.dispatch(em, { ...trigger, rule: 'subscription_expired', botId: message.botId, telegramUserId, variables: { plan: message.planId } });
      } else if (isEventOf(event, SubscriptionReminderDueSchema)) {
        const { message } = event;
        if (!message.endsAt) throw new ParkEventError('subscriptions.subscription.reminder_due without ends_at');
        const endsAt = timestampDate(message.endsAt);
        const remindedAt = message.remindedAt ? timestampDate(message.remindedAt) : trigger.now;
        await rules.dispatch(em, {
          ...trigger,
          rule: message.trial ? 'trial_ending' : 'subscription_ending',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          variables: {
            plan: message.planId,
            // What is left when it was due, in whole days, at least one (as the service's own reminder counts).
            days_left: Math.max(1, Math.round((endsAt.getTime() - remindedAt.getTime()) / DAY_MS)),
            ends_at: localTime(endsAt, 'date'),
          },
        });
      } else if (isEventOf(event, SubscriptionRenewalFailedSchema)) {
        const { message } = event;
        if (!message.endsAt) throw new ParkEventError('subscriptions.subscription.renewal_failed without ends_at');
        const next = message.nextAttemptAt ? timestampDate(message.nextAttemptAt) : null;
        await rules.dispatch(em, {
          ...trigger,
          rule: 'renewal_failed',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          variables: {
            plan: message.planId,
            reason: message.reason,
            attempt: message.attempt,
            retry: next ? 'yes' : 'no',
            next_attempt_at: next ? localTime(next, 'date-time') : '',
            ends_at: localTime(timestampDate(message.endsAt), 'date'),
          },
        });
      } else if (isEventOf(event, SubscriptionRevokedSchema)) {
        const { message } = event;
        await setPlan(em, message.botId, int64ToNumber(message.telegramUserId), null, null, null);
      } else {
        throw new ParkEventError(`unexpected ${event.subject}`);
      }
    },
  };
}

function setPlan(em: Parameters<typeof runSql>[0], botId: string, telegramUserId: number, planId: string | null, trial: boolean | null, endsAt: Date | null) {
  return runSql(
    em,
    'UPDATE notifications.notification_recipients SET plan_id = $3, plan_trial = $4, plan_ends_at = $5 WHERE bot_id = $1 AND telegram_user_id = $2',
    [botId, telegramUserId, planId, trial, endsAt],
  );
}
