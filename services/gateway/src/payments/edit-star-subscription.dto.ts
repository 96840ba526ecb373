import type { EditStarSubscriptionRequestJson } from '@botplatform/contracts';
import { IsBoolean, IsUUID, Matches } from 'class-validator';

/** `rpc.gateway.edit-star-subscription` as it arrives. */
export class EditStarSubscriptionDto implements EditStarSubscriptionRequestJson {
  @IsUUID()
  botId: string;

  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  // Telegram's charge ids are printable ASCII.
  @Matches(/^[\x21-\x7e]{1,256}$/, { message: 'telegramPaymentChargeId must be 1-256 printable ASCII characters' })
  telegramPaymentChargeId: string;

  @IsBoolean()
  isCanceled: boolean;
}
