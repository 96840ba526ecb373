import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PlanDefinitionDto } from '../plan/plans.dto.js';

export class BotParams {
  @IsUUID()
  botId: string;
}

export class PlanParams extends BotParams {
  @IsUUID()
  planId: string;
}

/** `POST /admin/bots/:botId/plans`: a definition, and the plan's id when the caller wants retries to be safe. */
export class CreatePlanBody extends PlanDefinitionDto {
  @IsOptional()
  @IsUUID()
  planId?: string;
}

export class ListPlansQuery {
  @IsOptional()
  @IsIn(['true', 'false'])
  activeOnly?: 'true' | 'false';

  @IsOptional()
  @IsIn(['true', 'false'])
  includeArchived?: 'true' | 'false';
}
