import type {
  AddPaymentCardRequestJson,
  CardRotationJson,
  ListPaymentCardsRequestJson,
  SetCardRotationRequestJson,
  UpdatePaymentCardRequestJson,
} from '@botplatform/contracts';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

/** `rpc.payments.add-payment-card` (the number's digits are checked by the decider: PAYMENTS.CARD_NUMBER_INVALID). */
export class AddPaymentCardDto implements AddPaymentCardRequestJson {
  @IsUUID()
  botId: string;

  @IsString()
  @Length(1, 40)
  number: string;

  @IsString()
  @Length(1, 100)
  holder: string;

  @IsString()
  @Length(1, 100)
  bank: string;

  @IsString()
  @Length(3, 3)
  currency: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  weight?: number;
}

/** `rpc.payments.update-payment-card`. */
export class UpdatePaymentCardDto implements UpdatePaymentCardRequestJson {
  @IsUUID()
  botId: string;

  @IsUUID()
  cardId: string;

  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  weight?: number;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  holder?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  bank?: string;
}

/** `rpc.payments.list-payment-cards`. */
export class ListPaymentCardsDto implements ListPaymentCardsRequestJson {
  @IsUUID()
  botId: string;
}

/** `rpc.payments.set-card-rotation`. */
export class SetCardRotationDto implements SetCardRotationRequestJson {
  @IsUUID()
  botId: string;

  @IsIn(['CARD_ROTATION_ROUND_ROBIN', 'CARD_ROTATION_WEIGHTED'])
  rotation: CardRotationJson;
}
