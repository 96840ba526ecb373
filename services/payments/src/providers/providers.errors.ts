import { PaymentsError } from '../payments.errors.js';

/** No such provider, or one the bot has not enabled (or set up). */
export class ProviderNotEnabledError extends PaymentsError {
  readonly code = 'PAYMENTS.PROVIDER_NOT_ENABLED';
  constructor(readonly provider: string) {
    super(`the bot has no enabled provider ${provider}`);
  }
}

/** The provider is unknown to payments. */
export class ProviderUnknownError extends PaymentsError {
  readonly code = 'PAYMENTS.PROVIDER_UNKNOWN';
  constructor(readonly provider: string) {
    super(`no payment provider ${provider}`);
  }
}

/** Settings that would leave an enabled provider without a key it needs. */
export class ProviderSecretsMissingError extends PaymentsError {
  readonly code = 'PAYMENTS.PROVIDER_SECRETS_MISSING';
  constructor(
    readonly provider: string,
    readonly missing: readonly string[],
  ) {
    super(`${provider} needs ${missing.join(', ')}`);
  }
}

/** The plan has no price the provider can take (currency or Telegram's bounds). */
export class ProviderCannotPriceError extends PaymentsError {
  readonly code = 'PAYMENTS.PROVIDER_CANNOT_PRICE';
  constructor(
    readonly provider: string,
    reason: string,
  ) {
    super(`${provider} cannot sell the plan: ${reason}`);
  }
}

/** The provider's API refused or could not be reached: the payment is failed, nothing was charged. */
export class ProviderUnavailableError extends PaymentsError {
  readonly code = 'PAYMENTS.PROVIDER_UNAVAILABLE';
}

/** The bot's sealed settings cannot be opened (the key that sealed them is no longer configured, or they were altered). */
export class ProviderSettingsUnreadableError extends PaymentsError {
  readonly code = 'PAYMENTS.PROVIDER_SETTINGS_UNREADABLE';
}
