import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { SubscriptionAccess } from './subscription-access.entity.js';
import { EMPTY_SUBSCRIPTION_VIEW, type SubscriptionView } from './subscription.decider.js';

/** Members' subscriptions as the access read model has them, for screens that show them. */
@Injectable()
export class SubscriptionDirectory {
  constructor(private readonly orm: MikroORM) {}

  /** The member's subscription in the bot; the empty view for a member who never had one. */
  async viewOf(botId: string, telegramUserId: string): Promise<SubscriptionView> {
    const row = await this.orm.em.fork().findOne(SubscriptionAccess, { botId, telegramUserId });
    return row?.view ?? EMPTY_SUBSCRIPTION_VIEW;
  }
}
