import type { SetRuleEnabledRequestJson } from '@botplatform/contracts';
import { IsBoolean, IsIn, IsUUID } from 'class-validator';
import { RULES } from './rule-catalogue.js';

export class SetRuleEnabledDto implements SetRuleEnabledRequestJson {
  @IsUUID()
  botId: string;

  @IsIn(RULES)
  rule: string;

  @IsBoolean()
  enabled: boolean;
}
