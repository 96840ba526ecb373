import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { SettingValueType } from './bot-settings.js';

/** The current value of one typed setting of a bot. */
@Entity({ tableName: 'bot_settings' })
export class BotSettingValue {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @PrimaryKey({ type: 'text' })
  key: string;

  @Property({ type: 'text' })
  type: SettingValueType;

  /** The value as JSON text, exactly what `JSON.stringify` gave for the parsed value. */
  @Property({ type: 'text' })
  valueJson: string;

  @Property({ type: 'text' })
  description: string;

  @Property({ type: 'text' })
  changedBy: string;

  @Property({ type: 'timestamptz' })
  changedAt: Date;
}
