import { BotFeatureRouter } from '@botplatform/bot-kit';
import { busMigrations } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import { schedulerMigrations } from '@botplatform/scheduler';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { PlansAndAccessMigration20261130190000 } from './migrations/20261130190000-plans-and-access.migration.js';
import { BotReminderDaysMigration20261130200000 } from './migrations/20261130200000-bot-reminder-days.migration.js';
import { Plan } from './plan/plan.entity.js';
import { onBotGroupChanged } from './bot-group/on-bot-group-changed.consumer.js';
import { BotGroupsMigration20261130230000 } from './migrations/20261130230000-bot-groups.migration.js';
import { onBotSettingChanged } from './reminder/on-bot-setting-changed.consumer.js';
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
    // The inbox of its consumer of the bots' reminder days (reminder/on-bot-setting-changed.consumer.ts).
    ...busMigrations,
    { name: 'Migration20261130190000_plans_and_access', class: PlansAndAccessMigration20261130190000 },
    // Its timers (expiries, reminders), in the same schema so each is written with the event that causes it.
    ...schedulerMigrations,
    { name: 'Migration20261130200000_bot_reminder_days', class: BotReminderDaysMigration20261130200000 },
    { name: 'Migration20261130230000_bot_groups', class: BotGroupsMigration20261130230000 },
  ],
  entities: [Plan, SubscriptionAccess],
  module: (dependencies) => SubscriptionsModule.forService(dependencies),
  toPublic: subscriptionPublicEvents,
  // /plans, /subscription and /subadmin (bot/bot-features.providers.ts), declared to the gateway at start.
  botFeatures: BotFeatureRouter,
  // Each bot's reminder days follow its setting in the users service; each bot's group, its bot group events.
  consumers: () => [onBotSettingChanged, onBotGroupChanged],
};
