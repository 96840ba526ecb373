import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { MemberRole, MemberStatus } from './membership.decider.js';

/**
 * A Telegram user's membership in one bot, projected from `membership-<bot>-<id>`; `last_seen_at` alone
 * is written outside the events (see RegisterUserUseCase). The admin's block and the user's block of
 * the bot are kept apart; `status` is the one that matters (memberStatusOf), stored for counting.
 */
@Entity({ tableName: 'memberships' })
export class Membership {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @PrimaryKey({ type: 'bigint' })
  telegramUserId: string;

  @Property({ type: 'uuid' })
  userId: string;

  @Property({ type: 'text' })
  role: MemberRole;

  @Property({ type: 'boolean' })
  adminPending: boolean;

  @Property({ type: 'text' })
  status: MemberStatus;

  @Property({ type: 'boolean' })
  blockedByAdmin: boolean;

  @Property({ type: 'text', nullable: true })
  blockReason?: string | null;

  @Property({ type: 'text', nullable: true })
  blockedBy?: string | null;

  @Property({ type: 'boolean' })
  botBlockedByUser: boolean;

  @Property({ type: 'text', nullable: true })
  languageOverride?: string | null;

  @Property({ type: 'text', nullable: true })
  startPayload?: string;

  @Property({ type: 'timestamptz' })
  joinedAt: Date;

  @Property({ type: 'timestamptz' })
  lastSeenAt: Date;
}
