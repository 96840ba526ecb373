import { BotFeatureRouter } from '@botplatform/bot-kit';
import { busMigrations } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { BotFeatureFlag } from './bot/bot-feature-flag.entity.js';
import { BotSettingValue } from './bot/bot-setting-value.entity.js';
import { resolveBotSecrets, type BotSecretsOptions } from './bot/bot-secrets.js';
import { botProviders } from './bot/bot.providers.js';
import { RegisteredBot } from './bot/registered-bot.entity.js';
import { botPublicEvents, composePublicEvents } from './bot/bot.public-events.js';
import { BotsMigration20261123000400 } from './migrations/20261123000400-bots.migration.js';
import { AuditEntry } from './audit/audit-entry.entity.js';
import { MembersMigration20261123000500 } from './migrations/20261123000500-members.migration.js';
import { MemberPlanLevelsMigration20261130200000 } from './migrations/20261130200000-member-plan-levels.migration.js';
import { onSubscriptionChanged } from './plan-level/on-subscription-changed.consumer.js';
import { Identity } from './user/identity.entity.js';
import { Membership } from './user/membership.entity.js';
import { memberPublicEvents } from './user/user.public-events.js';
import { UsersModule } from './users.module.js';
import { BotGroup, BotGroupMember } from './bot-group/bot-group.entity.js';
import { botGroupPublicEvents } from './bot-group/bot-group.public-events.js';
import { BotGroupsMigration20261130230000 } from './migrations/20261130230000-bot-groups.migration.js';
import { GroupSharedPlanLevelsMigration20261130230100 } from './migrations/20261130230100-group-shared-plan-levels.migration.js';

/** What the users service is started with; the secrets not given are read from the environment at start. */
export interface UsersServiceOptions extends BotSecretsOptions {
  /**
   * The Bot API a bot's token is checked against (`getMe`) before a registration or a rotation is
   * stored: the gateway's `telegramApiRoot`. The platform and the distributed `main.ts`
   * (`TELEGRAM_API_ROOT`) always give it; without it (the service alone in its own tests) a token is
   * checked for its shape only.
   */
  readonly telegramApiRoot?: string;
}

/**
 * The users service: bots (the tenants), their members and identities. Publishes `users.*` events.
 * Secrets come from `options`, else from BOT_TOKEN_KEYS and OPERATOR_API_TOKEN when the service starts.
 */
export function createUsersService(options: UsersServiceOptions = {}): ServiceDefinition {
  return {
    name: 'users',
    schema: 'users',
    migrations: [
      ...eventStoreMigrations,
      // The inbox of its consumer (users--plan-levels).
      ...busMigrations,
      { name: 'Migration20261123000400_bots', class: BotsMigration20261123000400 },
      { name: 'Migration20261123000500_members', class: MembersMigration20261123000500 },
      { name: 'Migration20261130200000_member_plan_levels', class: MemberPlanLevelsMigration20261130200000 },
      { name: 'Migration20261130230000_bot_groups', class: BotGroupsMigration20261130230000 },
      { name: 'Migration20261130230100_group_shared_plan_levels', class: GroupSharedPlanLevelsMigration20261130230100 },
    ],
    entities: [RegisteredBot, BotFeatureFlag, BotSettingValue, Identity, Membership, AuditEntry, BotGroup, BotGroupMember],
    // Secrets are read when the service starts, not when this module is imported.
    module: () => ({
      module: UsersModule,
      providers: [...botProviders(resolveBotSecrets(options), options.telegramApiRoot)],
    }),
    toPublic: composePublicEvents(memberPublicEvents, botPublicEvents, botGroupPublicEvents),
    // The member's plan level follows the subscriptions service's events (plan-level/).
    consumers: () => [onSubscriptionChanged],
    // The admin menu (bot-features/bot-features.providers.ts), declared to the gateway at start.
    botFeatures: BotFeatureRouter,
  };
}
