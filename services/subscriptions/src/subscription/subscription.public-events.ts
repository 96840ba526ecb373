import type { PublicEventMapper } from '@botplatform/bus';
import {
  SubscriptionCreditsAddedSchema,
  SubscriptionCreditsConsumedSchema,
  SubscriptionExpiredSchema,
  SubscriptionExtendedSchema,
  SubscriptionRenewalCancelledSchema,
  SubscriptionRenewalFailedSchema,
  SubscriptionReminderDueSchema,
  SubscriptionRenewalResumedSchema,
  SubscriptionRevokedSchema,
  SubscriptionSource as PublicSource,
  SubscriptionStartedSchema,
  timestampFromDate,
} from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { SubscriptionEvent, SubscriptionSource } from './subscription.decider.js';

const PUBLIC_SOURCES: Record<SubscriptionSource, PublicSource> = {
  payment: PublicSource.PAYMENT,
  promo: PublicSource.PROMO,
  trial: PublicSource.TRIAL,
  admin: PublicSource.ADMIN,
};

const at = (iso: string) => timestampFromDate(new Date(iso));
const member = (data: { botId: string; telegramUserId: number }) => ({ botId: data.botId, telegramUserId: BigInt(data.telegramUserId) });

/**
 * Subscription events as other services see them (proto/botplatform/subscriptions/v1/subscriptions.proto).
 * Each field is picked by name; the entitlements other than the quota level stay internal (access answers them).
 */
export const subscriptionPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<SubscriptionEvent>;
  switch (event.type) {
    case 'SubscriptionStarted': {
      const { data } = event;
      return {
        schema: SubscriptionStartedSchema,
        message: {
          ...member(data),
          planId: data.planId,
          source: PUBLIC_SOURCES[data.source],
          trial: data.trial,
          startedAt: at(data.startedAt),
          endsAt: at(data.endsAt),
          quotaLevel: data.entitlements.quotaLevel ?? undefined,
          grantId: data.grantId ?? undefined,
          groupShared: data.entitlements.groupShared === true,
        },
      };
    }
    case 'SubscriptionExtended': {
      const { data } = event;
      return {
        schema: SubscriptionExtendedSchema,
        message: {
          ...member(data),
          planId: data.planId,
          source: PUBLIC_SOURCES[data.source],
          days: data.days,
          previousEndsAt: at(data.previousEndsAt),
          endsAt: at(data.endsAt),
          quotaLevel: data.entitlements.quotaLevel ?? undefined,
          grantId: data.grantId ?? undefined,
          extendedAt: at(data.extendedAt),
          groupShared: data.entitlements.groupShared === true,
        },
      };
    }
    case 'SubscriptionExpired': {
      const { data } = event;
      return {
        schema: SubscriptionExpiredSchema,
        message: { ...member(data), planId: data.planId, endedAt: at(data.endedAt), ...(data.reason ? { reason: data.reason } : {}) },
      };
    }
    case 'RenewalAttemptFailed': {
      const { data } = event;
      return {
        schema: SubscriptionRenewalFailedSchema,
        message: {
          ...member(data),
          planId: data.planId,
          endsAt: at(data.endsAt),
          attempt: data.attempt,
          reason: data.reason,
          failedAt: at(data.failedAt),
          ...(data.nextAttemptAt ? { nextAttemptAt: at(data.nextAttemptAt) } : {}),
        },
      };
    }
    case 'SubscriptionRevoked': {
      const { data } = event;
      return {
        schema: SubscriptionRevokedSchema,
        message: {
          ...member(data),
          planId: data.planId ?? undefined,
          reason: data.reason,
          revokedBy: data.revokedBy,
          revokedAt: at(data.revokedAt),
          creditsForfeited: data.creditsForfeited,
        },
      };
    }
    case 'RenewalCancelled': {
      const { data } = event;
      return {
        schema: SubscriptionRenewalCancelledSchema,
        message: { ...member(data), planId: data.planId, endsAt: at(data.endsAt), cancelledAt: at(data.cancelledAt) },
      };
    }
    case 'RenewalResumed': {
      const { data } = event;
      return {
        schema: SubscriptionRenewalResumedSchema,
        message: { ...member(data), planId: data.planId, endsAt: at(data.endsAt), resumedAt: at(data.resumedAt) },
      };
    }
    case 'CreditsAdded': {
      const { data } = event;
      return {
        schema: SubscriptionCreditsAddedSchema,
        message: {
          ...member(data),
          planId: data.planId,
          source: PUBLIC_SOURCES[data.source],
          credits: data.credits,
          balance: data.balance,
          quotaLevel: data.entitlements.quotaLevel ?? undefined,
          grantId: data.grantId ?? undefined,
          trial: data.trial,
          addedAt: at(data.addedAt),
        },
      };
    }
    case 'CreditsConsumed': {
      const { data } = event;
      return {
        schema: SubscriptionCreditsConsumedSchema,
        message: { ...member(data), requestId: data.requestId, balance: data.balance, consumedAt: at(data.consumedAt) },
      };
    }
    case 'ReminderDue': {
      const { data } = event;
      return {
        schema: SubscriptionReminderDueSchema,
        message: {
          ...member(data),
          planId: data.planId,
          trial: data.trial,
          renewalCancelled: data.renewalCancelled,
          endsAt: at(data.endsAt),
          daysBefore: data.daysBefore,
          remindedAt: at(data.remindedAt),
        },
      };
    }
    default:
      return null;
  }
};
