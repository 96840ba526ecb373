import type {
  ActivateBotRequestJson,
  DeactivateBotRequestJson,
  GetBotConfigRequestJson,
  GetBotCredentialsRequestJson,
  ListBotsRequestJson,
  RegisterBotRequestJson,
  RotateBotTokenRequestJson,
  SetFeatureFlagRequestJson,
  SetSettingRequestJson,
  SettingTypeJson,
} from '@botplatform/contracts';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

// The shape only; the token's format is checked by parseBotToken so a bad one answers USERS.INVALID_BOT_TOKEN.
const TOKEN_LENGTH = [1, 200] as const;
const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;
/** Who asks to manage a bot: the operator or the bot's own admin API token. */
export const MANAGER = /^(operator|api:[A-Za-z0-9]{8})$/;
/** Who changes a flag or setting: also an admin of the bot in Telegram. */
export const CHANGER = /^(operator|api:[A-Za-z0-9]{8}|telegram:[1-9][0-9]{0,15})$/;
export const SETTING_TYPES: readonly SettingTypeJson[] = ['SETTING_TYPE_STRING', 'SETTING_TYPE_INT', 'SETTING_TYPE_BOOL', 'SETTING_TYPE_JSON'];

/** `rpc.users.register-bot` (also the body of POST /admin/bots). */
export class RegisterBotDto implements RegisterBotRequestJson {
  @IsString()
  @Length(1, 64)
  name: string;

  @IsString()
  @Length(...TOKEN_LENGTH)
  token: string;

  @Matches(TELEGRAM_USER_ID, { message: 'ownerTelegramUserId must be a positive Telegram user id' })
  ownerTelegramUserId: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  timezone?: string;
}

/** `rpc.users.list-bots`. */
export class ListBotsDto implements ListBotsRequestJson {
  @IsOptional()
  @IsBoolean()
  activeOnly?: boolean;
}

/** `rpc.users.activate-bot`. */
export class ActivateBotDto implements ActivateBotRequestJson {
  @IsUUID()
  botId: string;

  @Matches(MANAGER, { message: 'requestedBy must be "operator" or "api:<token id>"' })
  requestedBy: string;
}

/** `rpc.users.deactivate-bot`. */
export class DeactivateBotDto implements DeactivateBotRequestJson {
  @IsUUID()
  botId: string;

  @Matches(MANAGER, { message: 'requestedBy must be "operator" or "api:<token id>"' })
  requestedBy: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

/** `rpc.users.rotate-bot-token`. */
export class RotateBotTokenDto implements RotateBotTokenRequestJson {
  @IsUUID()
  botId: string;

  @Matches(MANAGER, { message: 'requestedBy must be "operator" or "api:<token id>"' })
  requestedBy: string;

  @IsString()
  @Length(...TOKEN_LENGTH)
  token: string;
}

/** `rpc.users.get-bot-credentials`. */
export class GetBotCredentialsDto implements GetBotCredentialsRequestJson {
  @IsOptional()
  @IsUUID()
  botId?: string;
}

/** `rpc.users.set-feature-flag`. */
export class SetFeatureFlagDto implements SetFeatureFlagRequestJson {
  @IsUUID()
  botId: string;

  @IsString()
  @Length(1, 100)
  flag: string;

  // proto3 JSON leaves `false` out.
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @Matches(CHANGER, { message: 'changedBy must be "operator", "api:<token id>" or "telegram:<user id>"' })
  changedBy: string;
}

/** `rpc.users.set-setting`. */
export class SetSettingDto implements SetSettingRequestJson {
  @IsUUID()
  botId: string;

  @IsString()
  @Length(1, 100)
  key: string;

  @IsOptional()
  @IsIn(['SETTING_TYPE_UNSPECIFIED', ...SETTING_TYPES])
  type?: SettingTypeJson;

  @IsString()
  @Length(1, 16_384)
  valueJson: string;

  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  @Matches(CHANGER, { message: 'changedBy must be "operator", "api:<token id>" or "telegram:<user id>"' })
  changedBy: string;
}

/** `rpc.users.get-bot-config`. */
export class GetBotConfigDto implements GetBotConfigRequestJson {
  @IsUUID()
  botId: string;
}
