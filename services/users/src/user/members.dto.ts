import type {
  CountMembersRequestJson,
  FindMembersRequestJson,
  GetMemberRequestJson,
  ListMembersRequestJson,
  MemberAdminActionRequestJson,
  RecordBotBlockedRequestJson,
  SetMemberLanguageRequestJson,
} from '@botplatform/contracts';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { TELEGRAM_USER_ID } from '../shared/telegram-user-id.js';

const TELEGRAM_ID_MESSAGE = { message: '$property must be a positive Telegram user id' };

/** `rpc.users.get-member`. */
export class GetMemberDto implements GetMemberRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, TELEGRAM_ID_MESSAGE)
  telegramUserId: string;
}

/** `rpc.users.find-members`. */
export class FindMembersDto implements FindMembersRequestJson {
  @IsUUID()
  botId: string;

  @IsString()
  @Length(1, 64)
  query: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

/** `rpc.users.list-members`: the roles and statuses are the contract's enum names, UNSPECIFIED refused. */
export class ListMembersDto implements ListMembersRequestJson {
  @IsUUID()
  botId: string;

  @IsOptional()
  @IsIn(['MEMBER_ROLE_USER', 'MEMBER_ROLE_ADMIN', 'MEMBER_ROLE_OWNER'])
  role?: 'MEMBER_ROLE_USER' | 'MEMBER_ROLE_ADMIN' | 'MEMBER_ROLE_OWNER';

  @IsOptional()
  @IsIn(['MEMBER_STATUS_ACTIVE', 'MEMBER_STATUS_BLOCKED_BY_ADMIN', 'MEMBER_STATUS_BOT_BLOCKED_BY_USER'])
  status?: 'MEMBER_STATUS_ACTIVE' | 'MEMBER_STATUS_BLOCKED_BY_ADMIN' | 'MEMBER_STATUS_BOT_BLOCKED_BY_USER';

  @IsOptional()
  @IsString()
  @Length(1, 64)
  query?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  cursor?: string;
}

/** `rpc.users.count-members`. */
export class CountMembersDto implements CountMembersRequestJson {
  @IsUUID()
  botId: string;
}

/** `rpc.users.set-member-language`: the member's own choice. */
export class SetMemberLanguageDto implements SetMemberLanguageRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, TELEGRAM_ID_MESSAGE)
  telegramUserId: string;

  // Any ISO 639 code: the gateway decides which languages it has texts for.
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}$/, { message: 'languageCode must be a 2-3 letter language code' })
  languageCode?: string;
}

/** `rpc.users.block-member`, `unblock-member`, `propose-admin`, `approve-admin`, `revoke-admin`. */
export class MemberAdminActionDto implements MemberAdminActionRequestJson {
  @IsUUID()
  botId: string;

  @Matches(/^(telegram:[1-9][0-9]{0,15}|api:[A-Za-z0-9_-]{1,64}|operator)$/, {
    message: 'admin must be telegram:<Telegram user id> or api:<token id>',
  })
  admin: string;

  @Matches(TELEGRAM_USER_ID, TELEGRAM_ID_MESSAGE)
  targetTelegramUserId: string;

  // Its 1-200 characters are the decision's to check (USERS.REASON_REQUIRED); this only bounds the input.
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  reason?: string;
}

/** `rpc.users.record-bot-blocked`. */
export class RecordBotBlockedDto implements RecordBotBlockedRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, TELEGRAM_ID_MESSAGE)
  telegramUserId: string;

  // Proto3 JSON leaves a false bool out: absent means unblocked.
  @IsOptional()
  @IsBoolean()
  blocked?: boolean;
}
