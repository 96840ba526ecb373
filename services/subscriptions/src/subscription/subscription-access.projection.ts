import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  EMPTY_SUBSCRIPTION_VIEW,
  SUBSCRIPTION_EVENT_TYPES,
  evolveSubscriptionView,
  type SubscriptionEvent,
  type SubscriptionView,
} from './subscription.decider.js';
import { SubscriptionAccess } from './subscription-access.entity.js';

const isSubscriptionEvent = (event: RecordedEvent): event is RecordedEvent<SubscriptionEvent> =>
  (SUBSCRIPTION_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The access read model: each member's subscription view, folded by the decider's own
 * `evolveSubscriptionView` and written in the append's transaction, so `access` right after a revoke
 * answers no. The stream is locked while this runs (the use cases lock it), so the read-modify-write of
 * a row does not race.
 */
export const subscriptionAccessProjection: InlineProjection = {
  name: 'subscriptions.access',
  async apply(events, em: EntityManager) {
    const views = new Map<string, { botId: string; telegramUserId: number; view: SubscriptionView; at: Date }>();
    for (const event of events) {
      // A reminder changes nothing a member may do: no row to rewrite.
      if (!isSubscriptionEvent(event) || event.type === 'ReminderDue') continue;
      const { botId, telegramUserId } = event.data;
      const key = `${botId}:${telegramUserId}`;
      const current =
        views.get(key)?.view ?? (await em.findOne(SubscriptionAccess, { botId, telegramUserId: String(telegramUserId) }))?.view ?? EMPTY_SUBSCRIPTION_VIEW;
      views.set(key, { botId, telegramUserId, view: evolveSubscriptionView(current, event), at: event.metadata.occurredAt });
    }
    for (const { botId, telegramUserId, view, at } of views.values()) {
      await em.upsert(SubscriptionAccess, {
        botId,
        telegramUserId: String(telegramUserId),
        view,
        endsAt: view.period?.open ? new Date(view.period.endsAt) : null,
        credits: view.credits,
        updatedAt: at,
      });
    }
  },
};
