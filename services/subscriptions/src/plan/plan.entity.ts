import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { PlanDefinition } from './plan.decider.js';

/** One plan, projected from its `plan-<id>` stream by plans.projection.ts. */
@Entity({ tableName: 'plans' })
@Index({ properties: ['botId', 'sortOrder'] })
export class Plan {
  @PrimaryKey({ type: 'uuid' })
  planId: string;

  @Property({ type: 'uuid' })
  botId: string;

  @Property({ type: 'json' })
  definition: PlanDefinition;

  // Copied out of the definition so lists filter and sort in SQL.
  @Property({ type: 'boolean' })
  active: boolean;

  @Property({ type: 'boolean' })
  trial: boolean;

  @Property({ type: 'integer' })
  sortOrder: number;

  @Property({ type: 'boolean' })
  archived: boolean;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
