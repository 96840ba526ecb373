import type { Decider, DomainEvent } from '@botplatform/event-store';
import { PlanAlreadyExistsError, PlanArchivedError, PlanKindChangeError, PlanNotFoundError } from './plan.errors.js';

export interface PlanText {
  readonly language: string;
  readonly name: string;
  readonly description: string;
}

export interface PlanPrice {
  /** "XTR" or an ISO 4217 code. */
  readonly currency: string;
  /** Minor units as a decimal string (the contract's int64), never a float. */
  readonly amount: string;
}

export interface PlanLimit {
  readonly key: string;
  readonly value: number;
}

/** What one purchase of a plan gives. */
export type PlanKind = { readonly periodDays: number } | { readonly credits: number };

/** A plan as its owner defines it; what a grant copies into the member's subscription. */
export interface PlanDefinition {
  readonly texts: readonly PlanText[];
  readonly kind: PlanKind;
  readonly prices: readonly PlanPrice[];
  /** The member's level for rpc.users.consume-quota (quota.daily.plan.<level>). */
  readonly quotaLevel: string | null;
  readonly featureKeys: readonly string[];
  readonly limits: readonly PlanLimit[];
  readonly active: boolean;
  readonly sortOrder: number;
  readonly trial: boolean;
  /** Shared by the bot's group: its subscriptions give access in every bot of the group. Absent in plans defined before. */
  readonly groupShared?: boolean;
}

export interface CreatePlan {
  readonly type: 'CreatePlan';
  readonly planId: string;
  readonly botId: string;
  readonly definition: PlanDefinition;
  readonly now: string;
}

export interface UpdatePlan {
  readonly type: 'UpdatePlan';
  readonly planId: string;
  readonly botId: string;
  readonly definition: PlanDefinition;
  readonly now: string;
}

export interface ArchivePlan {
  readonly type: 'ArchivePlan';
  readonly planId: string;
  readonly botId: string;
  readonly now: string;
}

export type PlanCommand = CreatePlan | UpdatePlan | ArchivePlan;

export type PlanCreated = DomainEvent<'PlanCreated', { planId: string; botId: string; definition: PlanDefinition; createdAt: string }>;
export type PlanUpdated = DomainEvent<'PlanUpdated', { planId: string; botId: string; definition: PlanDefinition; updatedAt: string }>;
export type PlanArchived = DomainEvent<'PlanArchived', { planId: string; botId: string; archivedAt: string }>;

export type PlanEvent = PlanCreated | PlanUpdated | PlanArchived;

/** The event types of this decider, for projections that see every event of the store. */
export const PLAN_EVENT_TYPES = ['PlanCreated', 'PlanUpdated', 'PlanArchived'] as const satisfies readonly PlanEvent['type'][];

export type PlanState = { readonly status: 'none' } | { readonly status: 'active' | 'archived'; readonly botId: string; readonly definition: PlanDefinition };

const isPeriod = (kind: PlanKind): kind is { periodDays: number } => 'periodDays' in kind;

/** Deep equality of two JSON values, object keys in any order (a definition read back from jsonb has its keys reordered). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length && keysA.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

const sameDefinition = (a: PlanDefinition, b: PlanDefinition): boolean => sameJson(a, b);

/**
 * A plan of a bot. Its definition is validated before it gets here (the DTO); the decider keeps the rules
 * that depend on its history: created once, owned by one bot, its kind fixed, frozen once archived.
 */
export const planDecider: Decider<PlanState, PlanCommand, PlanEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'PlanCreated':
        return { status: 'active', botId: event.data.botId, definition: event.data.definition };
      case 'PlanUpdated':
        return state.status === 'none' ? state : { ...state, definition: event.data.definition };
      case 'PlanArchived':
        return state.status === 'none' ? state : { ...state, status: 'archived' };
    }
  },

  decide: (command, state) => {
    if (command.type === 'CreatePlan') {
      if (state.status !== 'none') throw new PlanAlreadyExistsError(command.planId);
      return [{ type: 'PlanCreated', data: { planId: command.planId, botId: command.botId, definition: command.definition, createdAt: command.now } }];
    }
    if (state.status === 'none' || state.botId !== command.botId) throw new PlanNotFoundError(command.botId, command.planId);
    switch (command.type) {
      case 'UpdatePlan': {
        if (state.status === 'archived') throw new PlanArchivedError(command.planId);
        if (isPeriod(state.definition.kind) !== isPeriod(command.definition.kind)) throw new PlanKindChangeError(command.planId);
        if (sameDefinition(state.definition, command.definition)) return [];
        return [{ type: 'PlanUpdated', data: { planId: command.planId, botId: command.botId, definition: command.definition, updatedAt: command.now } }];
      }
      case 'ArchivePlan':
        if (state.status === 'archived') return [];
        return [{ type: 'PlanArchived', data: { planId: command.planId, botId: command.botId, archivedAt: command.now } }];
    }
  },
};

/** The stream of one plan. */
export const planStreamId = (planId: string): string => `plan-${planId}`;
