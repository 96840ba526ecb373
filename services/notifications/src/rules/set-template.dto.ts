import type { SetTemplateRequestJson } from '@botplatform/contracts';
import { IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';
import { RULES } from './rule-catalogue.js';

export class SetTemplateDto implements SetTemplateRequestJson {
  @IsUUID()
  botId: string;

  @IsIn(RULES)
  rule: string;

  @Matches(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/, { message: 'language must be a lower-case language code such as "en", "ru" or "pt-br"' })
  language: string;

  // Telegram's 4096 characters of text, with room for the Fluent syntax around it.
  @IsString()
  @Length(1, 8192)
  source: string;
}
