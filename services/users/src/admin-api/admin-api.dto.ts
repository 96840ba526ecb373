import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { SETTING_VALUE_TYPES, type SettingValueType } from '../bot/bot-settings.js';
import type { MemberRole, MemberStatus } from '../user/membership.decider.js';

const MEMBER_ROLES: readonly MemberRole[] = ['user', 'admin', 'owner'];
const MEMBER_STATUSES: readonly MemberStatus[] = ['active', 'blocked_by_admin', 'bot_blocked_by_user'];

/** GET /admin/bots */
export class ListBotsQuery {
  @IsOptional()
  @IsIn(['true', 'false'])
  activeOnly?: 'true' | 'false';
}

/** POST /admin/bots/:botId/deactivate */
export class DeactivateBotBody {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

/** POST /admin/bots/:botId/rotate-token */
export class RotateTokenBody {
  @IsString()
  @Length(1, 200)
  token: string;
}

/** PUT /admin/bots/:botId/flags */
export class SetFlagBody {
  @IsString()
  @Length(1, 100)
  flag: string;

  @IsBoolean()
  enabled: boolean;
}

/** PUT /admin/bots/:botId/settings: `value` is the JSON value itself (`"Europe/Berlin"`, `20`, `{"a":1}`). */
export class SetSettingBody {
  @IsString()
  @Length(1, 100)
  key: string;

  @IsOptional()
  @IsIn(SETTING_VALUE_TYPES)
  type?: SettingValueType;

  @IsDefined()
  value: unknown;

  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;
}

/** GET /admin/bots/:botId/members: every member, newest first, one page at a time. */
export class ListMembersQuery {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  query?: string;

  @IsOptional()
  @IsIn(MEMBER_ROLES)
  role?: MemberRole;

  @IsOptional()
  @IsIn(MEMBER_STATUSES)
  status?: MemberStatus;

  @IsOptional()
  @Matches(/^([1-9]|[1-4][0-9]|50)$/, { message: 'limit must be 1-50' })
  limit?: string;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  cursor?: string;
}

/** GET /admin/bots/:botId/audit */
export class AuditQuery {
  @IsOptional()
  @Matches(/^(operator|api:[A-Za-z0-9]{8}|telegram:[1-9][0-9]{0,15})$/, { message: 'admin must be "operator", "api:<token id>" or "telegram:<id>"' })
  admin?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  target?: string;

  @IsOptional()
  @Matches(/^[a-z]+\.[a-z-]+$/, { message: 'action looks like "member.blocked"' })
  action?: string;

  @IsOptional()
  @Matches(/^([1-9]|[1-9][0-9]|100)$/, { message: 'limit must be 1-100' })
  limit?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}
