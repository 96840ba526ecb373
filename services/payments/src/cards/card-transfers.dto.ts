import type { GetPaymentMethodsRequestJson, StartCardTransferRequestJson } from '@botplatform/contracts';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

const TELEGRAM_USER_ID = /^[1-9][0-9]{0,18}$/;

/** `rpc.payments.get-payment-methods`. */
export class GetPaymentMethodsDto implements GetPaymentMethodsRequestJson {
  @IsUUID()
  botId: string;

  @IsUUID()
  planId: string;
}

/** `rpc.payments.start-card-transfer`. */
export class StartCardTransferDto implements StartCardTransferRequestJson {
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
}
