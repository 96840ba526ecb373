import type { ScheduledAudienceJson } from '@botplatform/contracts';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { RULES } from '../rules/rule-catalogue.js';
import { ScheduledAudienceDto } from '../scheduled/schedule-message.dto.js';

export class BotParams {
  @IsUUID()
  botId: string;
}

export class RuleParams extends BotParams {
  @IsIn(RULES)
  rule: string;
}

export class TemplateParams extends RuleParams {
  @Matches(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/, { message: 'language must be a lower-case language code such as "en", "ru" or "pt-br"' })
  language: string;
}

export class ScheduledMessageParams extends BotParams {
  @IsUUID()
  id: string;
}

/** `PUT /admin/bots/:botId/notification-rules/:rule`. */
export class SetRuleEnabledBody {
  @IsBoolean()
  enabled: boolean;
}

/** `PUT /admin/bots/:botId/notification-templates/:rule/:language`: a Fluent pattern. */
export class SetTemplateBody {
  // Telegram's 4096 characters of text, with room for the Fluent syntax around it (as the RPC).
  @IsString()
  @Length(1, 8192)
  source: string;
}

/** `POST /admin/bots/:botId/scheduled-messages`: the RPC's request without the bot and the author, which the path and the token give. */
export class ScheduleMessageBody {
  /** The message's id, for retries that schedule it once; a new one when absent. */
  @IsOptional()
  @IsUUID()
  requestId?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  text: string;

  @IsOptional()
  @IsIn(['HTML', 'MarkdownV2'])
  parseMode?: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => ScheduledAudienceDto)
  audience: ScheduledAudienceDto & ScheduledAudienceJson;

  @IsISO8601({ strict: true })
  sendAt: string;
}

export class ListScheduledMessagesQuery {
  @IsOptional()
  @IsIn(['scheduled', 'sent', 'cancelled'])
  status?: string;
}
