import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** Someone a bot can message: one row per bot and Telegram user, projected from `users.user.registered`. */
@Entity({ tableName: 'notification_recipients' })
export class NotificationRecipient {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @PrimaryKey({ type: 'bigint' })
  telegramUserId: string;

  @Property({ type: 'uuid' })
  userId: string;

  @Property({ type: 'text' })
  firstName: string;

  @Property({ type: 'text', nullable: true })
  languageCode?: string;

  @Property({ type: 'timestamptz' })
  registeredAt: Date;
}
