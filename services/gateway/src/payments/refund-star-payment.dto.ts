import type { RefundStarPaymentRequestJson } from '@botplatform/contracts';
import { IsUUID, Matches } from 'class-validator';

/** `rpc.gateway.refund-star-payment` as it arrives. */
export class RefundStarPaymentDto implements RefundStarPaymentRequestJson {
  @IsUUID()
  botId: string;

  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  // Telegram's charge ids are printable ASCII.
  @Matches(/^[\x21-\x7e]{1,256}$/, { message: 'telegramPaymentChargeId must be 1-256 printable ASCII characters' })
  telegramPaymentChargeId: string;
}
