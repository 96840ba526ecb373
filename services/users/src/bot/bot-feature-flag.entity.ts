import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** A feature flag of a bot that was set at least once (a flag without a row is off). */
@Entity({ tableName: 'bot_feature_flags' })
export class BotFeatureFlag {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @PrimaryKey({ type: 'text' })
  flag: string;

  @Property({ type: 'boolean' })
  enabled: boolean;

  @Property({ type: 'text' })
  changedBy: string;

  @Property({ type: 'timestamptz' })
  changedAt: Date;
}
