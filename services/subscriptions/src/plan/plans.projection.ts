import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PLAN_EVENT_TYPES, type PlanDefinition, type PlanEvent } from './plan.decider.js';
import { Plan } from './plan.entity.js';

const isPlanEvent = (event: RecordedEvent): event is RecordedEvent<PlanEvent> => (PLAN_EVENT_TYPES as readonly string[]).includes(event.type);

const columnsOf = (definition: PlanDefinition) => ({ definition, active: definition.active, trial: definition.trial, sortOrder: definition.sortOrder });

/**
 * The plans read model, written in the append's transaction, so list-plans right after create-plan sees
 * the plan. Upserts and updates by id, so applying an event twice leaves the same row.
 */
export const plansProjection: InlineProjection = {
  name: 'subscriptions.plans',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isPlanEvent(event)) continue;
      switch (event.type) {
        case 'PlanCreated': {
          const { data } = event;
          const at = new Date(data.createdAt);
          await em.upsert(Plan, { planId: data.planId, botId: data.botId, ...columnsOf(data.definition), archived: false, createdAt: at, updatedAt: at });
          break;
        }
        case 'PlanUpdated':
          await em.nativeUpdate(Plan, { planId: event.data.planId }, { ...columnsOf(event.data.definition), updatedAt: new Date(event.data.updatedAt) });
          break;
        case 'PlanArchived':
          await em.nativeUpdate(Plan, { planId: event.data.planId }, { archived: true, updatedAt: new Date(event.data.archivedAt) });
          break;
      }
    }
  },
};
