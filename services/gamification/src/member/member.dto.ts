import type { AwardBadgeRequestJson, AwardRequestJson, RecordActivityRequestJson } from '@botplatform/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ActivityInputDto } from '../activity/activity.dto.js';
import { TELEGRAM_USER_ID, TELEGRAM_USER_ID_MESSAGE } from '../shared/telegram-user-id.js';

/** Source ids come from other systems (an activity's id, a payment's charge id): printable, bounded. */
const KEY = /^[\x21-\x7e]{1,128}$/;

class MemberDto {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: TELEGRAM_USER_ID_MESSAGE })
  telegramUserId: string;
}

/** `rpc.gamification.award`. */
export class AwardDto extends MemberDto implements AwardRequestJson {
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  amount: number;

  @IsString()
  @Length(1, 200)
  reason: string;

  @Matches(KEY, { message: 'sourceId must be 1-128 printable ASCII characters' })
  sourceId: string;
}

/** `rpc.gamification.award-badge`. */
export class AwardBadgeDto extends MemberDto implements AwardBadgeRequestJson {
  @Matches(/^[a-z0-9][a-z0-9_-]{0,47}$/, { message: 'badgeKey must be 1-48 lower-case letters, digits, _ or -' })
  badgeKey: string;

  /** The score that earned it, kept with the badge. */
  @IsOptional()
  @Matches(/^-?\d{1,15}$/, { message: 'score must be an integer of at most 15 digits' })
  score?: string;

  /** The streak to keep with it; the member's current one when absent. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  streak?: number;
}

/** `rpc.gamification.record-activity`: the time zone's name is checked by the use case. */
export class RecordActivityDto extends MemberDto implements RecordActivityRequestJson {
  @IsOptional()
  @IsISO8601({ strict: true })
  occurredAt?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;

  /** Kept in the history by activity/record-activity.use-case.ts. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ActivityInputDto)
  activity?: ActivityInputDto;
}
