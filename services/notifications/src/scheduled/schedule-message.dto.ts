import type {
  CancelScheduledMessageRequestJson,
  ListScheduledMessagesRequestJson,
  ScheduledAudienceFilterJson,
  ScheduledAudienceJson,
  ScheduleMessageRequestJson,
} from '@botplatform/contracts';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsNumberString,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export class ScheduledAudienceFilterDto implements ScheduledAudienceFilterJson {
  @IsOptional()
  @Matches(/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/i)
  language?: string;

  @IsOptional()
  @IsIn(['premium', 'trial', 'free'])
  plan?: string;
}

/** Exactly one of `telegramUserId` and `members`. */
export class ScheduledAudienceDto implements ScheduledAudienceJson {
  @ValidateIf((audience: ScheduledAudienceDto) => audience.members === undefined)
  @IsNumberString({ no_symbols: true })
  telegramUserId?: string;

  @ValidateIf((audience: ScheduledAudienceDto) => audience.telegramUserId === undefined)
  @IsDefined()
  @ValidateNested()
  @Type(() => ScheduledAudienceFilterDto)
  members?: ScheduledAudienceFilterDto;
}

export class ScheduleMessageDto implements ScheduleMessageRequestJson {
  @IsUUID()
  requestId: string;

  @IsUUID()
  botId: string;

  // Telegram's limit of a message's text.
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
  audience: ScheduledAudienceDto;

  @IsISO8601({ strict: true })
  sendAt: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  scheduledBy: string;
}

export class CancelScheduledMessageDto implements CancelScheduledMessageRequestJson {
  @IsUUID()
  botId: string;

  @IsUUID()
  scheduledMessageId: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  cancelledBy: string;
}

export class ListScheduledMessagesDto implements ListScheduledMessagesRequestJson {
  @IsUUID()
  botId: string;

  @IsOptional()
  @IsIn(['scheduled', 'sent', 'cancelled'])
  status?: string;
}
