import { BotFeatureRouter } from '@botplatform/bot-kit';
import { busMigrations } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import { onBotGroupChanged } from './bot-group/on-bot-group-changed.consumer.js';
import { BotGroupsMigration20261130230000 } from './migrations/20261130230000-bot-groups.migration.js';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { activityPublicEvents } from './activity/activity.public-events.js';
import { GamificationModule } from './gamification.module.js';
import { MemberBadge, Membership } from './member/membership.entity.js';
import { memberPublicEvents } from './member/member.public-events.js';
import { GameMigration20261130194500 } from './migrations/20261130194500-game.migration.js';
import { ActivityMigration20261130223000 } from './migrations/20261130223000-activity.migration.js';
import { XpRulesMigration20261130224500 } from './migrations/20261130224500-xp-rules.migration.js';
import { ImportedStatsMigration20261201020000 } from './migrations/20261201020000-imported-stats.migration.js';
import { PeriodBoardsMigration20261201023000 } from './migrations/20261201023000-period-boards.migration.js';
import { ActivityScoresMigration20261201040000 } from './migrations/20261201040000-activity-scores.migration.js';
import { ActivityScoresTxMigration20261201050000 } from './migrations/20261201050000-activity-scores-tx.migration.js';
import { BotGroupsTxMigration20261201060000 } from './migrations/20261201060000-bot-groups-tx.migration.js';
import { onPaymentsEvent } from './rules/on-payments-event.consumer.js';
import { BotSettings } from './settings/bot-settings.entity.js';

/**
 * The gamification service: per bot membership XP (once per source id), levels from the bot's
 * thresholds, a badge catalogue and badges once per member, activity-day streaks and the bot's XP
 * leaderboard, and the activity history with per-bot statistics. Publishes `gamification.{xp,level,badge,streak,activity}.*` (proto/botplatform/gamification/v1);
 * the bot settings' events stay internal.
 */
export const gamificationService: ServiceDefinition = {
  name: 'gamification',
  schema: 'gamification',
  migrations: [
    ...eventStoreMigrations,
    // The inbox and positions of its consumers: the users' bot group events, payments' completed payments.
    ...busMigrations,
    { name: 'Migration20261130194500_game', class: GameMigration20261130194500 },
    { name: 'Migration20261130223000_activity', class: ActivityMigration20261130223000 },
    { name: 'Migration20261130224500_xp_rules', class: XpRulesMigration20261130224500 },
    { name: 'Migration20261130230000_bot_groups', class: BotGroupsMigration20261130230000 },
    { name: 'Migration20261201020000_imported_stats', class: ImportedStatsMigration20261201020000 },
    { name: 'Migration20261201023000_period_boards', class: PeriodBoardsMigration20261201023000 },
    { name: 'Migration20261201040000_activity_scores', class: ActivityScoresMigration20261201040000 },
    { name: 'Migration20261201050000_activity_scores_tx', class: ActivityScoresTxMigration20261201050000 },
    { name: 'Migration20261201060000_bot_groups_tx', class: BotGroupsTxMigration20261201060000 },
  ],
  entities: [BotSettings, Membership, MemberBadge],
  module: () => ({ module: GamificationModule }),
  // XP from other services' events, by the bot's rules (rules/).
  toPublic: (event) => memberPublicEvents(event) ?? activityPublicEvents(event),
  // /me and /top (bot/bot-features.providers.ts), declared to the gateway at start.
  botFeatures: BotFeatureRouter,
  // Each bot's group (XP, level and badges shared by its bots) follows the users' bot group events;
  // payments' completed payments give the XP of the bots' rules.
  consumers: ({ store }) => [onBotGroupChanged, onPaymentsEvent({ store })],
};
