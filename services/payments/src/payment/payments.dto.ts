import type { CreatePaymentRequestJson, RefundPaymentRequestJson, SwitchStarRenewalRequestJson } from '@botplatform/contracts';
import { IsBoolean, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

/** A Telegram user id: a positive 64-bit integer, as the contract's JSON carries it (a string). */
const TELEGRAM_USER_ID = /^[1-9][0-9]{0,18}$/;

/** `rpc.payments.create-payment` as it arrives: the contract's JSON form, checked field by field. */
export class CreatePaymentDto implements CreatePaymentRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @IsUUID()
  planId: string;

  @IsOptional()
  @IsString()
  @Length(2, 10)
  language?: string;

  @IsOptional()
  @IsString()
  @Length(1, 32)
  provider?: string;
}

/** `rpc.payments.refund-payment`. */
export class RefundPaymentDto implements RefundPaymentRequestJson {
  @IsUUID()
  botId: string;

  @IsUUID()
  paymentId: string;

  @IsString()
  @Length(1, 500)
  reason: string;

  @IsString()
  @Length(1, 100)
  refundedBy: string;
}

/** `rpc.payments.switch-star-renewal`. */
export class SwitchStarRenewalDto implements SwitchStarRenewalRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @IsBoolean()
  on: boolean;
}
