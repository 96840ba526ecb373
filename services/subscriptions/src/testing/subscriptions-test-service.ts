import {
  SubscriptionCreditsAddedSchema,
  SubscriptionCreditsConsumedSchema,
  SubscriptionExpiredSchema,
  SubscriptionExtendedSchema,
  SubscriptionRenewalCancelledSchema,
  SubscriptionRenewalResumedSchema,
  SubscriptionRevokedSchema,
  SubscriptionStartedSchema,
} from '@botplatform/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@botplatform/service-kit/testing';
import { subscriptionsService } from '../subscriptions.service.js';

export { TestClock } from '@botplatform/service-kit/testing';

/** The subscriptions service running for one test file: its own database, the in-process bus and RPC, a test clock. */
export type SubscriptionsTestService = ServiceUnderTest;

/** Starts the subscriptions service as startService does in production, with a test clock, and a consumer of its public events. */
export function startSubscriptionsTestService(prefix: string, start: Date): Promise<SubscriptionsTestService> {
  return startServiceUnderTest(subscriptionsService, {
    prefix,
    start,
    observe: [
      SubscriptionStartedSchema,
      SubscriptionExtendedSchema,
      SubscriptionExpiredSchema,
      SubscriptionRevokedSchema,
      SubscriptionRenewalCancelledSchema,
      SubscriptionRenewalResumedSchema,
      SubscriptionCreditsAddedSchema,
      SubscriptionCreditsConsumedSchema,
    ],
  });
}
