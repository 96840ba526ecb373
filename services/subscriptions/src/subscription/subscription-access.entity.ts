import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { SubscriptionView } from './subscription.decider.js';

/** A member's subscription in a bot, projected from its stream by subscription-access.projection.ts. */
@Entity({ tableName: 'subscription_access' })
export class SubscriptionAccess {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @PrimaryKey({ type: 'bigint', columnType: 'bigint' })
  telegramUserId: string;

  @Property({ type: 'json' })
  view: SubscriptionView;

  // Copied out of the view so the schedule (later) finds the periods ending soon with an index.
  @Property({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  @Property({ type: 'integer' })
  credits: number;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
