import { BotFeatureRouter } from '@botplatform/bot-kit';
import { busMigrations } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import { onBotGroupChanged } from './bot-group/on-bot-group-changed.consumer.js';
import { BotGroupsMigration20261130230000 } from './migrations/20261130230000-bot-groups.migration.js';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { GamificationModule } from './gamification.module.js';
import { MemberBadge, Membership } from './member/membership.entity.js';
import { memberPublicEvents } from './member/member.public-events.js';
import { GameMigration20261130194500 } from './migrations/20261130194500-game.migration.js';
import { BotSettings } from './settings/bot-settings.entity.js';

/**
 * The gamification service: per bot membership XP (once per source id), levels from the bot's
 * thresholds, a badge catalogue and badges once per member, activity-day streaks and the bot's XP
 * leaderboard. Publishes `gamification.{xp,level,badge,streak}.*` (proto/botplatform/gamification/v1);
 * the bot settings' events stay internal.
 */
export const gamificationService: ServiceDefinition = {
  name: 'gamification',
  schema: 'gamification',
  migrations: [
    ...eventStoreMigrations,
    // The inbox and positions of its consumer of the users' bot group events.
    ...busMigrations,
    { name: 'Migration20261130194500_game', class: GameMigration20261130194500 },
    { name: 'Migration20261130230000_bot_groups', class: BotGroupsMigration20261130230000 },
  ],
  entities: [BotSettings, Membership, MemberBadge],
  module: () => ({ module: GamificationModule }),
  toPublic: memberPublicEvents,
  // /me and /top (bot/bot-features.providers.ts), declared to the gateway at start.
  botFeatures: BotFeatureRouter,
  // Each bot's group (XP, level and badges shared by its bots) follows the users' bot group events.
  consumers: () => [onBotGroupChanged],
};
