import { eventStoreMigrations } from '@botplatform/event-store';
import { schedulerMigrations } from '@botplatform/scheduler';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { PlansAndAccessMigration20261130190000 } from './migrations/20261130190000-plans-and-access.migration.js';
import { Plan } from './plan/plan.entity.js';
import { SubscriptionAccess } from './subscription/subscription-access.entity.js';
import { subscriptionPublicEvents } from './subscription/subscription.public-events.js';
import { SubscriptionsModule } from './subscriptions.module.js';

/**
 * The subscriptions service: a bot's plans, and each member's subscription (periods, credits, the trial).
 * Publishes `subscriptions.subscription.*` events (proto/botplatform/subscriptions/v1); plan events stay internal.
 */
export const subscriptionsService: ServiceDefinition = {
  name: 'subscriptions',
  schema: 'subscriptions',
  migrations: [
    ...eventStoreMigrations,
    // No busMigrations: they hold a consumer's inbox and positions, and this service consumes nothing yet.
    // Add `...busMigrations` (from @botplatform/bus) here, before its own, with its first consumer.
    { name: 'Migration20261130190000_plans_and_access', class: PlansAndAccessMigration20261130190000 },
    // Its timers (expiries, reminders), in the same schema so each is written with the event that causes it.
    ...schedulerMigrations,
  ],
  entities: [Plan, SubscriptionAccess],
  module: (dependencies) => SubscriptionsModule.forService(dependencies),
  toPublic: subscriptionPublicEvents,
};
