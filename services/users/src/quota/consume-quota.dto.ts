import type { ConsumeQuotaRequestJson } from '@botplatform/contracts';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { TELEGRAM_USER_ID } from '../shared/telegram-user-id.js';

/** `rpc.users.consume-quota`. */
export class ConsumeQuotaDto implements ConsumeQuotaRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  // Becomes part of a setting key (quota.daily.plan.<plan>).
  @IsOptional()
  @Matches(/^[a-z0-9_-]{1,32}$/, { message: 'plan must be 1-32 characters of a-z, 0-9, _ and -' })
  plan?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  amount?: number;
}
