import type {
  ArchivePlanRequestJson,
  CreatePlanRequestJson,
  ListPlansRequestJson,
  PlanDefinitionJson,
  PlanLimitJson,
  PlanPriceJson,
  PlanTextJson,
  UpdatePlanRequestJson,
} from '@botplatform/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { PlanDefinition } from './plan.decider.js';
import { IsPlanCurrency, OneOf, UniqueBy } from './plan-validation.js';

/** Lower-case dotted words, as the users service's setting keys. */
const KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)*$/;
/** As rpc.users.consume-quota's `plan`: it becomes part of the setting key quota.daily.plan.<level>. */
const QUOTA_LEVEL = /^[a-z0-9_-]{1,32}$/;
const MAX_INT32 = 2_147_483_647;

export class PlanPriceDto implements PlanPriceJson {
  @IsPlanCurrency()
  currency: string;

  // The contract's int64 in JSON is a decimal string: a float, a sign, zero or an exponent never parses.
  @IsString({ message: 'amount must be a whole number of minor units, as a decimal string' })
  @Matches(/^[1-9][0-9]{0,14}$/, { message: 'amount must be a whole number of minor units greater than 0' })
  amount: string;
}

export class PlanTextDto implements PlanTextJson {
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'language must be a language code such as "en" or "ru"' })
  language: string;

  @IsString()
  @Length(1, 64)
  name: string;

  @IsOptional()
  @IsString()
  @Length(0, 1024)
  description?: string;
}

export class PlanLimitDto implements PlanLimitJson {
  @Matches(KEY, { message: 'key must be lower-case dotted words' })
  @Length(1, 100)
  key: string;

  @IsInt()
  @Min(0)
  @Max(MAX_INT32)
  value: number;
}

/**
 * A plan's definition in the contract's JSON form. Proto3 JSON leaves out false, 0 and empty lists, so
 * those fields are optional here and mean exactly that.
 */
export class PlanDefinitionDto implements PlanDefinitionJson {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PlanTextDto)
  @UniqueBy<PlanTextDto>((text) => text.language, 'language')
  texts: PlanTextDto[];

  @ValidateIf((plan: PlanDefinitionDto) => plan.credits === undefined || plan.periodDays !== undefined)
  @OneOf('credits')
  @IsInt()
  @Min(1)
  @Max(3_660)
  periodDays?: number;

  @ValidateIf((plan: PlanDefinitionDto) => plan.credits !== undefined)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  credits?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PlanPriceDto)
  @UniqueBy<PlanPriceDto>((price) => price.currency, 'currency')
  prices?: PlanPriceDto[];

  @IsOptional()
  @Matches(QUOTA_LEVEL, { message: 'quotaLevel must be 1-32 characters of a-z, 0-9, _ and -' })
  quotaLevel?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(KEY, { each: true, message: 'each of featureKeys must be lower-case dotted words' })
  @Length(1, 100, { each: true })
  @UniqueBy<string>((key) => key, 'key')
  featureKeys?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PlanLimitDto)
  @UniqueBy<PlanLimitDto>((limit) => limit.key, 'key')
  limits?: PlanLimitDto[];

  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @IsOptional()
  @IsInt()
  @Min(-1_000_000)
  @Max(1_000_000)
  sortOrder?: number;

  @IsOptional()
  @IsBoolean()
  trial?: boolean;

  @IsOptional()
  @IsBoolean()
  groupShared?: boolean;
}

/** The validated definition as the plan's events keep it: every field present, in one order. */
export function planDefinitionOf(dto: PlanDefinitionDto): PlanDefinition {
  return {
    texts: dto.texts.map((t) => ({ language: t.language, name: t.name, description: t.description ?? '' })),
    kind: dto.periodDays !== undefined ? { periodDays: dto.periodDays } : { credits: dto.credits! },
    prices: (dto.prices ?? []).map((p) => ({ currency: p.currency, amount: p.amount })),
    quotaLevel: dto.quotaLevel ?? null,
    featureKeys: [...(dto.featureKeys ?? [])],
    limits: (dto.limits ?? []).map((l) => ({ key: l.key, value: l.value })),
    active: dto.active ?? false,
    sortOrder: dto.sortOrder ?? 0,
    trial: dto.trial ?? false,
    ...(dto.groupShared ? { groupShared: true } : {}),
  };
}

/** `rpc.subscriptions.create-plan`. */
export class CreatePlanDto implements CreatePlanRequestJson {
  @IsUUID()
  planId: string;

  @IsUUID()
  botId: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => PlanDefinitionDto)
  plan: PlanDefinitionDto;
}

/** `rpc.subscriptions.update-plan`: the whole new definition. */
export class UpdatePlanDto implements UpdatePlanRequestJson {
  @IsUUID()
  planId: string;

  @IsUUID()
  botId: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => PlanDefinitionDto)
  plan: PlanDefinitionDto;
}

/** `rpc.subscriptions.archive-plan`. */
export class ArchivePlanDto implements ArchivePlanRequestJson {
  @IsUUID()
  planId: string;

  @IsUUID()
  botId: string;
}

/** `rpc.subscriptions.list-plans`. */
export class ListPlansDto implements ListPlansRequestJson {
  @IsUUID()
  botId: string;

  @IsOptional()
  @IsBoolean()
  activeOnly?: boolean;

  @IsOptional()
  @IsBoolean()
  includeArchived?: boolean;

  @IsOptional()
  @IsBoolean()
  includeGroupShared?: boolean;
}
