import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Someone a bot can message (the service's own view of its audience): one row per bot and Telegram user,
 * opened by `users.user.registered` and kept by the users, subscriptions and gateway events it follows.
 */
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

  /** The language the member chose in the bot; absent: Telegram's (`languageCode`). */
  @Property({ type: 'text', nullable: true })
  languageOverride?: string;

  /** `active`, or `blocked` by the bot's admins. */
  @Property({ type: 'text' })
  status: string = 'active';

  /** The member blocked the bot (a 403, or the users service said so): nothing is sent until they are back. */
  @Property({ type: 'boolean' })
  blockedBot: boolean = false;

  /** `user`, `admin` or `owner`. */
  @Property({ type: 'text' })
  role: string = 'user';

  @Property({ type: 'text', nullable: true })
  planId?: string;

  @Property({ type: 'boolean', nullable: true })
  planTrial?: boolean;

  @Property({ type: 'timestamptz', nullable: true })
  planEndsAt?: Date;

  /** No service publishes member activity yet, so this stays empty. */
  @Property({ type: 'timestamptz', nullable: true })
  lastSeenAt?: Date;
}
