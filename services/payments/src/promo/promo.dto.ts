import type {
  CreatePromoBatchRequestJson,
  CreatePromoCodeRequestJson,
  PromoCodeDefinitionJson,
  RedeemPromoCodeRequestJson,
  SetPromoCodeActiveRequestJson,
} from '@botplatform/contracts';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';

const TELEGRAM_USER_ID = /^[1-9][0-9]{0,18}$/;

/** `rpc.payments.create-promo-code`: the definition's reward and limits are checked by the decider (PAYMENTS.PROMO_INVALID). */
export class CreatePromoCodeDto implements CreatePromoCodeRequestJson {
  @IsUUID()
  botId: string;

  @IsString()
  @Length(4, 32)
  code: string;

  @IsObject()
  definition: PromoCodeDefinitionJson;

  @IsString()
  @Length(1, 100)
  createdBy: string;
}

/** `rpc.payments.create-promo-batch`. */
export class CreatePromoBatchDto implements CreatePromoBatchRequestJson {
  @IsUUID()
  botId: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  count: number;

  @IsObject()
  definition: PromoCodeDefinitionJson;

  @IsString()
  @Length(1, 100)
  createdBy: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{0,12}$/, { message: 'prefix must be at most 12 of A-Z, 0-9, _ and -' })
  prefix?: string;
}

/** `rpc.payments.set-promo-code-active`. */
export class SetPromoCodeActiveDto implements SetPromoCodeActiveRequestJson {
  @IsUUID()
  botId: string;

  @IsString()
  @Length(4, 32)
  code: string;

  @IsBoolean()
  active: boolean;

  @IsString()
  @Length(1, 100)
  by: string;
}

/** `rpc.payments.redeem-promo-code`. */
export class RedeemPromoCodeDto implements RedeemPromoCodeRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @IsString()
  @Length(1, 64)
  code: string;
}
