import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One platform identity per Telegram user with the latest profile Telegram reported, projected from `identity-<id>`. */
@Entity({ tableName: 'identities' })
export class Identity {
  @PrimaryKey({ type: 'uuid' })
  userId: string;

  @Property({ type: 'bigint', unique: true })
  telegramUserId: string;

  @Property({ type: 'text', nullable: true })
  username?: string | null;

  @Property({ type: 'text' })
  firstName: string;

  @Property({ type: 'text', nullable: true })
  lastName?: string | null;

  @Property({ type: 'text', nullable: true })
  languageCode?: string | null;

  @Property({ type: 'boolean' })
  isPremium: boolean;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
