import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { BadgeDefinition } from './bot-settings.decider.js';
import type { LevelThreshold } from './levels.js';

/** A bot's gamification settings, projected from its `gamification-bot-<botId>` stream by bot-settings.projection.ts. */
@Entity({ tableName: 'bot_settings' })
export class BotSettings {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  /** Null until configured: the default (level 1 only) applies. */
  @Property({ type: 'json', nullable: true })
  levels: LevelThreshold[] | null;

  /** Null until set: UTC applies. */
  @Property({ type: 'text', nullable: true })
  timeZone: string | null;

  /** The catalogue by key: a bot has a handful of badges, read together. */
  @Property({ type: 'json' })
  badges: Record<string, BadgeDefinition>;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
