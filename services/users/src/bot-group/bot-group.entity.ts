import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One bot group, projected from its `bot-group-<id>` stream by bot-groups.projection.ts. */
@Entity({ tableName: 'bot_groups' })
export class BotGroup {
  @PrimaryKey({ type: 'uuid' })
  groupId: string;

  @Property({ type: 'bigint' })
  ownerTelegramUserId: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date;
}

/** A bot's group. The bot is the key: a bot is in at most one group. */
@Entity({ tableName: 'bot_group_members' })
export class BotGroupMember {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @Property({ type: 'uuid' })
  groupId: string;

  @Property({ type: 'timestamptz' })
  addedAt: Date;
}
