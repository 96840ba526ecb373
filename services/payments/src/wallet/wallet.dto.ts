import type {
  AdjustWalletRequestJson,
  GetWalletBalanceRequestJson,
  PayFromWalletRequestJson,
  RenewFromWalletRequestJson,
  SpendFromWalletRequestJson,
  TopUpWalletRequestJson,
} from '@botplatform/contracts';
import { IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';

const TELEGRAM_USER_ID = /^[1-9][0-9]{0,18}$/;
/** ISO 4217 or XTR (Telegram Stars). */
const CURRENCY = /^[A-Z]{3}$/;
const POSITIVE = /^[1-9][0-9]{0,18}$/;
const NON_ZERO = /^-?[1-9][0-9]{0,18}$/;

/** `rpc.payments.get-wallet-balance`. */
export class GetWalletBalanceDto implements GetWalletBalanceRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(50)
  lastEntries?: number;
}

class WalletEntryRequestDto {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @Matches(CURRENCY, { message: 'currency must be three capital letters (XTR for Stars)' })
  currency: string;

  @IsString()
  @Length(1, 200)
  requestId: string;
}

/** `rpc.payments.top-up-wallet`. */
export class TopUpWalletDto extends WalletEntryRequestDto implements TopUpWalletRequestJson {
  @Matches(POSITIVE, { message: 'amount must be a positive integer of minor units' })
  amount: string;

  @IsString()
  @Length(1, 100)
  toppedUpBy: string;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

/** `rpc.payments.adjust-wallet`. */
export class AdjustWalletDto extends WalletEntryRequestDto implements AdjustWalletRequestJson {
  @Matches(NON_ZERO, { message: 'amount must be a non-zero integer of minor units' })
  amount: string;

  @IsString()
  @Length(1, 500)
  reason: string;

  @IsString()
  @Length(1, 100)
  adjustedBy: string;
}

/** `rpc.payments.spend-from-wallet`. */
export class SpendFromWalletDto extends WalletEntryRequestDto implements SpendFromWalletRequestJson {
  @Matches(POSITIVE, { message: 'amount must be a positive integer of minor units' })
  amount: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  reference?: string;
}

/** `rpc.payments.pay-from-wallet`. */
export class PayFromWalletDto implements PayFromWalletRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @IsUUID()
  planId: string;
}

/** `rpc.payments.renew-from-wallet`. */
export class RenewFromWalletDto implements RenewFromWalletRequestJson {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @IsUUID()
  planId: string;

  @IsString()
  @Length(1, 300)
  renewalKey: string;
}
