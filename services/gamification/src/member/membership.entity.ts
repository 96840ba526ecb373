import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** A member's game in a scope (`bot:<botId>`), projected from their stream by memberships.projection.ts. */
@Entity({ tableName: 'memberships' })
export class Membership {
  @PrimaryKey({ type: 'text' })
  scope: string;

  @PrimaryKey({ type: 'bigint' })
  telegramUserId: string;

  @Property({ type: 'uuid' })
  botId: string;

  @Property({ type: 'bigint' })
  xp: string;

  @Property({ type: 'integer' })
  level: number;

  @Property({ type: 'integer' })
  currentStreak: number;

  @Property({ type: 'integer' })
  longestStreak: number;

  /** The last active local date, `YYYY-MM-DD`. */
  @Property({ type: 'text', nullable: true })
  lastActiveDay: string | null;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A badge a member earned in a bot. */
@Entity({ tableName: 'member_badges' })
export class MemberBadge {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @PrimaryKey({ type: 'bigint' })
  telegramUserId: string;

  @PrimaryKey({ type: 'text' })
  badgeKey: string;

  @Property({ type: 'timestamptz' })
  awardedAt: Date;

  /** The score it was earned with, when the award gave one. */
  @Property({ type: 'bigint', nullable: true })
  score: string | null;

  /** The member's streak when it was earned (null for badges awarded before it was kept). */
  @Property({ type: 'integer', nullable: true })
  streak: number | null;
}
