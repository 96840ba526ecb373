import type {
  AccessRequestJson,
  ConsumeRequestJson,
  GrantSubscriptionRequestJson,
  RenewalRequestJson,
  RevokeSubscriptionRequestJson,
  StartTrialRequestJson,
  SubscriptionSourceJson,
} from '@botplatform/contracts';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { TELEGRAM_USER_ID } from '../shared/telegram-user-id.js';
import type { SubscriptionSource } from './subscription.decider.js';

const TELEGRAM_USER_ID_MESSAGE = 'telegramUserId must be a positive Telegram user id';
/** Idempotency keys come from other systems (a payment's charge id, a promo redemption): printable, bounded. */
const KEY = /^[\x21-\x7e]{1,128}$/;

class MemberDto {
  @IsUUID()
  botId: string;

  @Matches(TELEGRAM_USER_ID, { message: TELEGRAM_USER_ID_MESSAGE })
  telegramUserId: string;
}

const GRANT_SOURCES = {
  SUBSCRIPTION_SOURCE_PAYMENT: 'payment',
  SUBSCRIPTION_SOURCE_PROMO: 'promo',
  SUBSCRIPTION_SOURCE_ADMIN: 'admin',
} as const satisfies Partial<Record<SubscriptionSourceJson, SubscriptionSource>>;

export const grantSourceOf = (source: keyof typeof GRANT_SOURCES) => GRANT_SOURCES[source];

/** `rpc.subscriptions.grant-subscription`. */
export class GrantSubscriptionDto extends MemberDto implements GrantSubscriptionRequestJson {
  @Matches(KEY, { message: 'grantId must be 1-128 printable ASCII characters' })
  grantId: string;

  @IsUUID()
  planId: string;

  // A trial is started by start-trial (or bought: PAYMENT of the trial plan).
  @IsIn(Object.keys(GRANT_SOURCES), { message: 'source must be SUBSCRIPTION_SOURCE_PAYMENT, _PROMO or _ADMIN' })
  source: keyof typeof GRANT_SOURCES;

  @IsString()
  @Length(1, 100)
  grantedBy: string;

  @IsOptional()
  @IsBoolean()
  starsSubscription?: boolean;
}

/** `rpc.subscriptions.start-trial`. */
export class StartTrialDto extends MemberDto implements StartTrialRequestJson {}

/** `rpc.subscriptions.revoke-subscription`. */
export class RevokeSubscriptionDto extends MemberDto implements RevokeSubscriptionRequestJson {
  @IsString()
  @Length(1, 500)
  reason: string;

  @IsString()
  @Length(1, 100)
  revokedBy: string;
}

/** `rpc.subscriptions.cancel-renewal`, `resume-renewal`. */
export class RenewalDto extends MemberDto implements RenewalRequestJson {}

/** `rpc.subscriptions.access`. */
export class AccessDto extends MemberDto implements AccessRequestJson {}

/** `rpc.subscriptions.consume`. */
export class ConsumeDto extends MemberDto implements ConsumeRequestJson {
  @Matches(KEY, { message: 'requestId must be 1-128 printable ASCII characters' })
  requestId: string;
}
